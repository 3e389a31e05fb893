import { type Agent, type ClientRequest, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { ProxyError, upstreamError } from '../errors.ts';
import type { Fault } from '../fault/fault.ts';
import type { RequestSeries, RouteSeries } from '../metrics/http.ts';
import { MAX_REPLAY_BYTES, type RetryPolicy } from '../retry/policy.ts';
import { resetConnection } from '../timeout/cancel.ts';
import { sendH1Error } from './error-response.ts';
import { forwardRawHeaders, trailerPairs } from './headers.ts';

// Forwards one HTTP/1 request to an upstream over a pooled connection and
// streams the response back: bodies piped with backpressure, trailers,
// 100-continue. Listeners are shared module functions reading their state
// from the emitter, so a request allocates one exchange object, not closures.

/** Where a request goes, and the hooks that feed load balancing and draining. */
export interface H1Upstream {
  readonly agent: Agent;
  readonly host: string;
  readonly port: number;
  readonly name: string;
  started(): void;
  responded(latencyMs: number): void;
  finished(): void;
  /** The status of each attempt (failure accrual). */
  result?(status: number, grpcStatus: number): void;
}

export interface ForwardPolicy {
  readonly responseTimeoutMs: number;
  /**
   * Request headers and trailers to remove before the upstream sees them (see isStripped):
   * the mesh's own, which only a proxy may set, or the one a meshed peer's proxy may not.
   */
  readonly stripRequest: string | undefined;
  /** A response header to remove before the client sees it. */
  readonly stripResponse: string | undefined;
  /** Whether our own error answers carry weft-proxy-error. */
  readonly informational: boolean;
  /** Outbound, from the profile: the matched route's series, retries, and whether the timeout is the route's. */
  readonly route?: RouteSeries;
  readonly retry?: RetryPolicy;
  readonly timeoutIsRoute?: boolean;
  /** Fault injection declared on the route. */
  readonly fault?: Fault;
}

const kExchange = Symbol('weft.exchange');
type Tagged<T> = T & { [kExchange]?: Exchange };

class Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly up: H1Upstream;
  readonly series: RequestSeries;
  readonly policy: ForwardPolicy;
  readonly start: number;
  readonly headers: string[];
  bodyless = true;
  retried = false;
  upReq: ClientRequest | undefined;
  upRes: IncomingMessage | undefined;
  timer: NodeJS.Timeout | undefined;
  status = 0;
  responded = false;
  finished = false;
  /** The request body kept for a retry (retryable routes only); undefined once too big to keep. */
  replay: Buffer[] | undefined;
  replayBytes = 0;
  requestEnded = false;
  attemptStart = 0;
  /** Set when the response timeout fired: the answer, whatever error the reset connection reports. */
  timedOut: ProxyError | undefined;
  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    up: H1Upstream,
    series: RequestSeries,
    policy: ForwardPolicy,
    headers: string[],
  ) {
    this.headers = headers;
    this.req = req;
    this.res = res;
    this.up = up;
    this.series = series;
    this.policy = policy;
    this.start = performance.now();
    this.attemptStart = this.start;
  }

  finish(status: number): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    const now = performance.now();
    if (!this.responded) this.up.responded(now - this.attemptStart);
    this.up.result?.(status, -1);
    this.up.finished();
    this.series.response(status, -1).record(now - this.attemptStart);
    const route = this.policy.route;
    if (route) {
      route.effective.response(status, -1).record(now - this.start);
      route.actual.response(status, -1).record(now - this.attemptStart);
    }
  }
}

export function forwardH1(
  req: IncomingMessage,
  res: ServerResponse,
  up: H1Upstream,
  series: RequestSeries,
  policy: ForwardPolicy,
  addName: string | undefined,
  addValue: string | undefined,
): void {
  series.requests++;
  const ex = new Exchange(
    req,
    res,
    up,
    series,
    policy,
    forwardRawHeaders(req.rawHeaders, policy.stripRequest, addName, addValue),
  );
  if (policy.route) {
    policy.route.effective.requests++;
    policy.route.actual.requests++;
  }
  if (policy.retry) {
    policy.retry.budget.deposit();
    ex.replay = [];
  }
  up.started();
  (res as Tagged<ServerResponse>)[kExchange] = ex;
  (req as Tagged<IncomingMessage>)[kExchange] = ex;
  res.on('close', onClientClose);
  const upReq = send(ex);
  if (hasBody(req)) {
    ex.bodyless = false;
    req.on('data', onRequestData);
    req.on('end', onRequestEnd);
  } else {
    ex.requestEnded = true;
    // Most requests carry no body: send the head now, without stream plumbing.
    upReq.end();
  }
  if (policy.responseTimeoutMs > 0) ex.timer = setTimeout(onResponseTimeout, policy.responseTimeoutMs, ex);
}

function send(ex: Exchange): Tagged<ClientRequest> {
  const upReq: Tagged<ClientRequest> = request({
    agent: ex.up.agent,
    host: ex.up.host,
    port: ex.up.port,
    method: ex.req.method,
    path: ex.req.url,
    headers: ex.headers,
    setHost: false,
  });
  upReq[kExchange] = ex;
  ex.upReq = upReq;
  upReq.on('response', onResponse);
  if (ex.req.headers.expect !== undefined) upReq.on('continue', onContinue);
  upReq.on('error', onUpstreamError);
  return upReq;
}

/**
 * A pooled connection can be closed by the upstream just as it is reused.
 * A request without a body that failed that way, before any answer, is sent
 * again once on a fresh connection: nothing of it can have been processed.
 */
function retryable(ex: Exchange, upReq: ClientRequest, err: NodeJS.ErrnoException): boolean {
  return (
    ex.bodyless &&
    !ex.retried &&
    !ex.responded &&
    upReq.reusedSocket &&
    (err.code === 'ECONNRESET' || err.code === 'EPIPE')
  );
}

/** A request without Content-Length or Transfer-Encoding has no body (RFC 9112 §6.3). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

// Bodies are relayed chunk by chunk with backpressure: when the far side's
// buffer is full the near side pauses until it drains. Cheaper than pipe(),
// which adds and removes half a dozen listeners per request.
function onRequestData(this: Tagged<IncomingMessage>, chunk: Buffer): void {
  const ex = this[kExchange] as Exchange;
  if (ex.replay) {
    ex.replayBytes += chunk.length;
    if (ex.replayBytes > MAX_REPLAY_BYTES) ex.replay = undefined;
    else ex.replay.push(chunk);
  }
  const upReq = ex.upReq as ClientRequest;
  if (!upReq.write(chunk)) {
    this.pause();
    upReq.once('drain', resumeRequest);
  }
}

function resumeRequest(this: Tagged<ClientRequest>): void {
  (this[kExchange] as Exchange).req.resume();
}

function onResponseData(this: Tagged<IncomingMessage>, chunk: Buffer): void {
  const ex = this[kExchange] as Exchange;
  if (!ex.res.write(chunk)) {
    this.pause();
    ex.res.once('drain', resumeResponse);
  }
}

function resumeResponse(this: Tagged<ServerResponse>): void {
  (this[kExchange] as Exchange).upRes?.resume();
}

function onRequestEnd(this: Tagged<IncomingMessage>): void {
  const ex = this[kExchange] as Exchange;
  const upReq = ex.upReq as ClientRequest;
  ex.requestEnded = true;
  if (this.rawTrailers.length > 0) upReq.addTrailers(trailerPairs(this.rawTrailers, ex.policy.stripRequest));
  upReq.end();
}

/**
 * A failure-classified response on a retryable route is dropped and the
 * request sent again, while the whole request is in hand (bodies up to
 * MAX_REPLAY_BYTES) and the budget allows; the client sees only the last answer.
 */
function retryResponse(ex: Exchange, upRes: IncomingMessage, status: number): boolean {
  const retry = ex.policy.retry;
  if (!retry || !ex.replay || !ex.requestEnded || ex.res.destroyed || !retry.classify(status, -1)) return false;
  if (!retry.budget.withdraw()) return false;
  const now = performance.now();
  ex.up.responded(now - ex.attemptStart);
  ex.up.result?.(status, -1);
  ex.series.response(status, -1).record(now - ex.attemptStart);
  const route = ex.policy.route;
  if (route) {
    route.actual.response(status, -1).record(now - ex.attemptStart);
    route.actual.requests++;
  }
  ex.series.requests++;
  upRes.resume();
  ex.up.started();
  ex.up.finished();
  ex.attemptStart = now;
  const upReq = send(ex);
  for (const chunk of ex.replay) upReq.write(chunk);
  if (ex.req.rawTrailers.length > 0) upReq.addTrailers(trailerPairs(ex.req.rawTrailers, ex.policy.stripRequest));
  upReq.end();
  return true;
}

function onContinue(this: Tagged<ClientRequest>): void {
  const ex = this[kExchange] as Exchange;
  if (!ex.res.headersSent) ex.res.writeContinue();
}

function onResponse(this: Tagged<ClientRequest>, upRes: Tagged<IncomingMessage>): void {
  const ex = this[kExchange] as Exchange;
  if (ex.policy.retry && retryResponse(ex, upRes, upRes.statusCode ?? 502)) return;
  if (ex.timer) {
    clearTimeout(ex.timer);
    ex.timer = undefined;
  }
  ex.responded = true;
  ex.up.responded(performance.now() - ex.attemptStart);
  ex.status = upRes.statusCode ?? 502;
  upRes[kExchange] = ex;
  const res = ex.res;
  if (res.destroyed) {
    upRes.destroy();
    return;
  }
  try {
    res.writeHead(
      ex.status,
      upRes.statusMessage,
      forwardRawHeaders(upRes.rawHeaders, ex.policy.stripResponse, undefined, undefined),
    );
  } catch (err) {
    // A header node:http refuses to write: answer 502 rather than crash.
    upRes.destroy();
    ex.responded = false;
    onUpstreamError.call(this, err as Error);
    return;
  }
  ex.upRes = upRes;
  upRes.on('data', onResponseData);
  upRes.on('end', onResponseEnd);
  upRes.on('error', onResponseError);
}

function onResponseEnd(this: Tagged<IncomingMessage>): void {
  const ex = this[kExchange] as Exchange;
  if (this.rawTrailers.length > 0) ex.res.addTrailers(trailerPairs(this.rawTrailers, ex.policy.stripResponse));
  ex.res.end();
  ex.finish(ex.status);
  if (!ex.requestEnded) dropRestOfRequest(ex);
}

/**
 * The upstream answered in full before the request body ended (413 to an
 * upload too large): the rest of the body is read and dropped, so the
 * client, still sending, reads the answer rather than a reset; the upstream
 * connection, which would wait for that body, is closed.
 */
function dropRestOfRequest(ex: Exchange): void {
  ex.req.off('data', onRequestData);
  ex.req.off('end', onRequestEnd);
  ex.req.resume();
  ex.upReq?.destroy();
}

function onResponseError(this: Tagged<IncomingMessage>): void {
  const ex = this[kExchange] as Exchange;
  ex.res.destroy();
  ex.finish(ex.status);
}

function onUpstreamError(this: Tagged<ClientRequest>, err: Error): void {
  const ex = this[kExchange] as Exchange;
  if (ex.finished || ex.upReq !== this) return;
  if (retryable(ex, this, err)) {
    ex.retried = true;
    send(ex).end();
    return;
  }
  ex.req.off('data', onRequestData);
  if (ex.responded) {
    ex.res.destroy();
    ex.finish(ex.status);
    return;
  }
  const failure = ex.timedOut ?? upstreamError(err, ex.up.name);
  sendH1Error(ex.res, failure, ex.policy.informational);
  ex.finish(failure.status);
}

function onResponseTimeout(ex: Exchange): void {
  ex.timer = undefined;
  ex.retried = true;
  ex.timedOut = new ProxyError(
    'WEFT_PROXY_RESPONSE_TIMEOUT',
    `${ex.up.name}: no response within ${ex.policy.timeoutIsRoute ? "the route's " : ''}${ex.policy.responseTimeoutMs}ms`,
  );
  // The upstream must see the cancellation, a peer proxy included.
  resetConnection(ex.upReq?.socket);
  ex.upReq?.destroy(ex.timedOut);
}

function onClientClose(this: Tagged<ServerResponse>): void {
  const ex = this[kExchange] as Exchange;
  if (ex.finished) return;
  // The client went away before the exchange completed: stop the upstream too.
  ex.upReq?.destroy();
  ex.finish(ex.status || 499);
}
