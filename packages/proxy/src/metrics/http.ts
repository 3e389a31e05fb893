import { joinLabels } from './labels.ts';

// request_total / response_total / response_latency_ms, with linkerd's
// bucket bounds (ms). One RequestSeries per pre-resolved label set (direction,
// authority, target, tls, dst_*); response series hang off it by status.

export const LATENCY_BUCKETS_MS = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000, 20000, 30000, 40000,
  50000,
] as const;

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
  requests = 0;
  readonly #responses = new Map<number, ResponseSeries>();
  /** Replaced when a route's response classes change; counts already made keep their classification. */
  classify: Classify;
  constructor(labels: string, classify: Classify = defaultClassify) {
    this.labels = labels;
    this.classify = classify;
  }

  /** `grpcStatus` is -1 when the response carried none. */
  response(status: number, grpcStatus: number): ResponseSeries {
    const failure = this.classify(status, grpcStatus);
    const key = (status * 32 + grpcStatus + 1) * 2 + (failure ? 1 : 0);
    let series = this.#responses.get(key);
    if (!series) {
      let labels = `status_code="${status}"`;
      if (grpcStatus >= 0) labels += `,grpc_status="${grpcStatus}"`;
      labels += `,classification="${failure ? 'failure' : 'success'}"`;
      series = new ResponseSeries(joinLabels(this.labels, labels));
      this.#responses.set(key, series);
    }
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
