import { type ProxyError, upstreamError } from '../errors.ts';
import type { RequestSeries } from '../metrics/http.ts';
import type { ForwardPolicy } from '../route/policy.ts';
import { responseTimeoutError } from '../timeout/response.ts';
import { MAX_REPLAY_BYTES } from './policy.ts';

// One request's life across its attempts, the same for every transport:
// request and route counts (effective once, actual per attempt), the retry
// decision (classification, budget, the body kept for replay), the response
// timeout over all attempts, and what the balancer and the breaker learn of
// each attempt. A transport (h1-forward, h2-forward, h1-over-h2, h2-as-h1)
// extends it and only moves bytes: it sends an attempt, reports the answer's
// head, and cancels or fails as told. One object per request, no closures.

/** What the balancer and the breaker learn of each attempt: an endpoint, or the local app. */
export interface AttemptTarget {
  readonly name: string;
  started(): void;
  responded(latencyMs: number): void;
  finished(): void;
  /** The status of each attempt (failure accrual). */
  result?(status: number, grpcStatus: number): void;
}

export abstract class Attempts<U extends AttemptTarget = AttemptTarget> {
  readonly up: U;
  readonly series: RequestSeries;
  readonly policy: ForwardPolicy;
  readonly start = performance.now();
  attemptStart = this.start;
  timer: NodeJS.Timeout | undefined;
  /** The answer's status as the client sees it (0 until one arrives), and its gRPC status (-1: none). */
  status = 0;
  grpcStatus = -1;
  /** The answer's head went to the client: failures now break the response off instead of answering. */
  responded = false;
  finished = false;
  /** The whole request arrived from the client. */
  requestEnded = false;
  /** The request body kept for another attempt (retryable routes only); undefined once too big to keep. */
  replay: Buffer[] | undefined;
  replayBytes = 0;
  /** Set when the response timeout fired: the answer, whatever error the cancelled attempt reports. */
  timedOut: ProxyError | undefined;
  /** The current attempt's latency went to the load estimate. */
  #measured = false;

  constructor(up: U, series: RequestSeries, policy: ForwardPolicy) {
    this.up = up;
    this.series = series;
    this.policy = policy;
  }

  /** Sends the kept request again as a new attempt (its head, `replay`, its trailers). */
  protected abstract resend(): void;
  /** Stops the current attempt after the response timeout; it then fails with `timedOut`. */
  abstract cancel(): void;
  /** Answers the client with our own error and finishes, with the status the client sees. */
  protected abstract sendError(failure: ProxyError): void;
  /** Ends a response already under way abruptly (the upstream broke off). */
  protected abstract breakOff(): void;
  /** The client went away: another attempt would have no one to answer. */
  protected abstract clientGone(): boolean;

  /** Counts the request and starts its timeout; called once, as the first attempt is sent. */
  protected begin(): void {
    const policy = this.policy;
    this.series.requests++;
    const route = policy.route;
    if (route) {
      route.effective.requests++;
      route.actual.requests++;
    }
    if (policy.retry) {
      policy.retry.budget.deposit();
      this.replay = [];
    }
    this.up.started();
    if (policy.responseTimeoutMs > 0) this.timer = setTimeout(onResponseTimeout, policy.responseTimeoutMs, this);
  }

  /** A chunk of the request body on its way upstream, kept while the route is retryable and it fits. */
  keep(chunk: Buffer): void {
    const replay = this.replay;
    if (!replay) return;
    this.replayBytes += chunk.length;
    if (this.replayBytes > MAX_REPLAY_BYTES) this.replay = undefined;
    else replay.push(chunk);
  }

  /**
   * An attempt's answer head arrived. A failure-classified one on a retryable
   * route is dropped and the request sent again while the whole request is in
   * hand and the budget allows: true, and the transport discards the old
   * attempt. The client sees only the last answer.
   */
  retried(status: number, grpcStatus: number): boolean {
    const retry = this.policy.retry;
    if (!retry || !this.replay || !this.requestEnded || this.clientGone()) return false;
    if (!retry.classify(status, grpcStatus) || !retry.budget.withdraw()) return false;
    const now = performance.now();
    const latency = now - this.attemptStart;
    const up = this.up;
    up.responded(latency);
    up.result?.(status, grpcStatus);
    this.series.response(status, grpcStatus).record(latency);
    this.series.requests++;
    const route = this.policy.route;
    if (route) {
      route.actual.response(status, grpcStatus).record(latency);
      route.actual.requests++;
    }
    up.started();
    up.finished();
    this.attemptStart = now;
    this.resend();
    return true;
  }

  /** The answer that goes to the client arrived: the timeout stops, the load estimate learns its latency. */
  answered(status: number, grpcStatus: number): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.responded = true;
    this.status = status;
    this.grpcStatus = grpcStatus;
    if (!this.#measured) {
      this.#measured = true;
      this.up.responded(performance.now() - this.attemptStart);
    }
  }

  finish(status: number, grpcStatus: number): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    const now = performance.now();
    const latency = now - this.attemptStart;
    const up = this.up;
    if (!this.#measured) up.responded(latency);
    up.result?.(status, grpcStatus);
    up.finished();
    this.series.response(status, grpcStatus).record(latency);
    const route = this.policy.route;
    if (route) {
      route.effective.response(status, grpcStatus).record(now - this.start);
      route.actual.response(status, grpcStatus).record(latency);
    }
  }

  /** The attempt failed: our own error answer if none is under way (the timeout's if it fired), else a break. */
  fail(err: unknown): void {
    if (this.finished) return;
    if (this.responded) {
      this.breakOff();
      this.finish(this.status, this.grpcStatus);
      return;
    }
    this.sendError(this.timedOut ?? upstreamError(err, this.up.name));
  }
}

function onResponseTimeout(ex: Attempts): void {
  ex.timer = undefined;
  ex.timedOut = responseTimeoutError(ex.up.name, ex.policy);
  ex.cancel();
}
