import { OVERFLOW } from './bounds.ts';
import { joinLabels } from './labels.ts';

// request_total / response_total / response_latency_ms, with linkerd's
// bucket bounds (ms). One RequestSeries per pre-resolved label set (direction,
// authority, target, tls, dst_*); response series hang off it by status.

export const LATENCY_BUCKETS_MS = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000, 20000, 30000, 40000,
  50000,
] as const;

/** Distinct (status, grpc-status, classification) series per request series; more read status_code="overflow". */
const MAX_RESPONSE_CLASSES = 64;

// gRPC codes linkerd classifies as failures by default.
const GRPC_FAILURES = new Set([2, 4, 7, 13, 14, 15]);

export class ResponseSeries {
  readonly labels: string;
  count = 0;
  sumMs = 0;
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  readonly buckets = new Float64Array(LATENCY_BUCKETS_MS.length + 1);
  constructor(labels: string) {
    this.labels = labels;
  }

  record(latencyMs: number): void {
    this.count++;
    this.sumMs += latencyMs;
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && latencyMs > (LATENCY_BUCKETS_MS[i] as number)) i++;
    (this.buckets as Float64Array)[i] = (this.buckets[i] as number) + 1;
  }
}

/** Whether a response is a failure; routes compile their response classes into one of these. */
export type Classify = (status: number, grpcStatus: number) => boolean;

export const defaultClassify: Classify = (status, grpcStatus) => status >= 500 || GRPC_FAILURES.has(grpcStatus);

export class RequestSeries {
  readonly labels: string;
  /** Some label holds the overflow value: many label values share this series, so callers must not cache it by theirs. */
  readonly overflow: boolean;
  requests = 0;
  readonly #responses = new Map<number, ResponseSeries>();
  /** Replaced when a route's response classes change; counts already made keep their classification. */
  classify: Classify;
  constructor(labels: string, classify: Classify = defaultClassify, overflow = false) {
    this.labels = labels;
    this.classify = classify;
    this.overflow = overflow;
  }

  /** `grpcStatus` is -1 when the response carried none. */
  response(status: number, grpcStatus: number): ResponseSeries {
    // A peer chooses both. A grpc-status gRPC does not define reads as UNKNOWN, as gRPC clients read it.
    if (grpcStatus !== -1 && !(grpcStatus >= 0 && grpcStatus <= 16 && Number.isInteger(grpcStatus))) grpcStatus = 2;
    if (!(status >= 0 && status <= 999 && Number.isInteger(status))) status = 0;
    const failure = this.classify(status, grpcStatus);
    const key = (status * 32 + grpcStatus + 1) * 2 + (failure ? 1 : 0);
    return this.#responses.get(key) ?? this.#add(key, status, grpcStatus, failure);
  }

  #add(key: number, status: number, grpcStatus: number, failure: boolean): ResponseSeries {
    const classification = `classification="${failure ? 'failure' : 'success'}"`;
    let labels: string;
    if (this.#responses.size >= MAX_RESPONSE_CLASSES) {
      // Past the bound, one series per classification takes every new status.
      key = failure ? -2 : -1;
      const existing = this.#responses.get(key);
      if (existing) return existing;
      labels = `status_code="${OVERFLOW}",${classification}`;
    } else {
      labels = `status_code="${status}"`;
      if (grpcStatus >= 0) labels += `,grpc_status="${grpcStatus}"`;
      labels += `,${classification}`;
    }
    const series = new ResponseSeries(joinLabels(this.labels, labels));
    this.#responses.set(key, series);
    return series;
  }

  responses(): IterableIterator<ResponseSeries> {
    return this.#responses.values();
  }
}

/** A route's series: what the caller saw (route_*) and every attempt sent, retries included (route_actual_*). */
export interface RouteSeries {
  readonly effective: RequestSeries;
  readonly actual: RequestSeries;
}
