import {
  type ClientHttp2Stream,
  constants,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { ProxyError, upstreamError } from '../errors.ts';
import type { RequestSeries } from '../metrics/http.ts';
import { MAX_REPLAY_BYTES } from '../retry/policy.ts';
import { isGrpc, sendH2Error } from './error-response.ts';
import type { ForwardPolicy } from './h1-forward.ts';
import type { H2Session } from './h2-pool.ts';
import { isStripped } from './headers.ts';

// Forwards one HTTP/2 stream (gRPC included) over a multiplexed session:
// headers, data both ways with flow control, trailers (grpc-status), resets
// and cancellation in both directions.

export interface H2Upstream {
  readonly h2: H2Session;
  readonly name: string;
  started(): void;
  responded(latencyMs: number): void;
  finished(): void;
  /** The status of each attempt (failure accrual). */
  result?(status: number, grpcStatus: number): void;
}

const kExchange = Symbol('weft.h2exchange');
type Tagged<T> = T & { [kExchange]?: H2Exchange };

class H2Exchange {
  readonly stream: ServerHttp2Stream;
  readonly up: H2Upstream;
  readonly series: RequestSeries;
  readonly policy: ForwardPolicy;
  readonly grpc: boolean;
  readonly start = performance.now();
  upStream: ClientHttp2Stream | undefined;
  trailers: IncomingHttpHeaders | undefined;
  timer: NodeJS.Timeout | undefined;
  status = 0;
  grpcStatus = -1;
  responded = false;
  finished = false;
  /** Retryable routes: the request headers and body kept for another attempt (undefined once too big). */
  out: OutgoingHttpHeaders | undefined;
  replay: Buffer[] | undefined;
  replayBytes = 0;
  requestEnded = false;
  attemptStart = this.start;
  constructor(stream: ServerHttp2Stream, up: H2Upstream, series: RequestSeries, policy: ForwardPolicy, grpc: boolean) {
    this.stream = stream;
    this.up = up;
    this.series = series;
    this.policy = policy;
    this.grpc = grpc;
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    const now = performance.now();
    if (!this.responded) this.up.responded(now - this.attemptStart);
    const status = this.status || 502;
    this.up.result?.(status, this.grpcStatus);
    this.up.finished();
    this.series.response(status, this.grpcStatus).record(now - this.attemptStart);
    const route = this.policy.route;
    if (route) {
      route.effective.response(status, this.grpcStatus).record(now - this.start);
      route.actual.response(status, this.grpcStatus).record(now - this.attemptStart);
    }
  }

  fail(err: unknown): void {
    if (this.finished) return;
    const failure = upstreamError(err, this.up.name);
    if (!this.responded) {
      this.status = this.grpc ? 200 : failure.status;
      if (this.grpc) this.grpcStatus = failure.grpcStatus;
      sendH2Error(this.stream, this.grpc, failure, this.policy.informational);
    } else if (!this.stream.destroyed) {
      this.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    }
    this.finish();
  }
}

export function forwardH2(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  up: H2Upstream,
  series: RequestSeries,
  policy: ForwardPolicy,
  addName: string | undefined,
  addValue: string | undefined,
): void {
  series.requests++;
  const ex = new H2Exchange(stream, up, series, policy, isGrpc(headers['content-type']));
  if (policy.route) {
    policy.route.effective.requests++;
    policy.route.actual.requests++;
  }
  up.started();
  const out: OutgoingHttpHeaders = {};
  const strip = policy.stripRequest;
  for (const name in headers) {
    if (!isStripped(name, strip)) out[name] = headers[name];
  }
  if (addName !== undefined && addValue !== undefined) out[addName] = addValue;
  if (policy.retry) {
    policy.retry.budget.deposit();
    ex.out = out;
    ex.replay = [];
    ex.requestEnded = stream.endAfterHeaders;
  }
  let upStream: Tagged<ClientHttp2Stream>;
  try {
    upStream = up.h2.get().request(out, { endStream: stream.endAfterHeaders });
  } catch (err) {
    ex.fail(err);
    return;
  }
  attach(ex, upStream);
  (stream as Tagged<ServerHttp2Stream>)[kExchange] = ex;
  stream.on('close', onClientClose);
  stream.on('error', onClientError);
  stream.on('wantTrailers', onWantTrailers);
  if (stream.endAfterHeaders) {
    // nothing to relay
  } else if (ex.replay) {
    // Relayed by hand so the body is kept for a retry.
    stream.on('data', onClientData);
    stream.on('end', onClientEnd);
  } else stream.pipe(upStream);
  if (policy.responseTimeoutMs > 0) ex.timer = setTimeout(onResponseTimeout, policy.responseTimeoutMs, ex);
}

function attach(ex: H2Exchange, upStream: Tagged<ClientHttp2Stream>): void {
  upStream[kExchange] = ex;
  ex.upStream = upStream;
  upStream.on('response', onResponse);
  upStream.on('trailers', onTrailers);
  upStream.on('error', onUpstreamError);
  upStream.on('close', onUpstreamClose);
}

function onClientData(this: Tagged<ServerHttp2Stream>, chunk: Buffer): void {
  const ex = this[kExchange] as H2Exchange;
  if (ex.replay) {
    ex.replayBytes += chunk.length;
    if (ex.replayBytes > MAX_REPLAY_BYTES) ex.replay = undefined;
    else ex.replay.push(chunk);
  }
  const up = ex.upStream;
  if (up && !up.destroyed && !up.write(chunk)) {
    this.pause();
    up.once('drain', resumeClient);
  }
}

function resumeClient(this: Tagged<ClientHttp2Stream>): void {
  (this[kExchange] as H2Exchange).stream.resume();
}

function onClientEnd(this: Tagged<ServerHttp2Stream>): void {
  const ex = this[kExchange] as H2Exchange;
  ex.requestEnded = true;
  ex.upStream?.end();
}

/**
 * A failure-classified answer on a retryable route (an HTTP error status, or
 * a gRPC trailers-only error) is dropped and the request sent again while the
 * whole request is in hand and the budget allows.
 */
function retryResponse(ex: H2Exchange, old: ClientHttp2Stream, status: number, grpcStatus: number): boolean {
  const retry = ex.policy.retry;
  if (!retry || !ex.replay || !ex.out || !ex.requestEnded || ex.stream.destroyed) return false;
  if (!retry.classify(status, grpcStatus) || !retry.budget.withdraw()) return false;
  const now = performance.now();
  ex.up.responded(now - ex.attemptStart);
  ex.up.result?.(status, grpcStatus);
  ex.series.response(status, grpcStatus).record(now - ex.attemptStart);
  ex.series.requests++;
  const route = ex.policy.route;
  if (route) {
    route.actual.response(status, grpcStatus).record(now - ex.attemptStart);
    route.actual.requests++;
  }
  if (!old.closed) old.close(constants.NGHTTP2_CANCEL);
  ex.up.started();
  ex.up.finished();
  ex.attemptStart = now;
  let upStream: Tagged<ClientHttp2Stream>;
  try {
    upStream = ex.up.h2.get().request(ex.out, { endStream: ex.replayBytes === 0 });
  } catch (err) {
    ex.fail(err);
    return true;
  }
  attach(ex, upStream);
  if (ex.replayBytes > 0) {
    for (const chunk of ex.replay) upStream.write(chunk);
    upStream.end();
  }
  return true;
}

function onResponse(this: Tagged<ClientHttp2Stream>, headers: IncomingHttpHeaders, flags: number): void {
  const ex = this[kExchange] as H2Exchange;
  if (ex.upStream !== this) return;
  if (ex.replay) {
    const status = Number(headers[':status']) || 200;
    const grpc = headers['grpc-status'];
    if (retryResponse(ex, this, status, grpc === undefined ? -1 : Number(grpc))) return;
  }
  if (ex.timer) {
    clearTimeout(ex.timer);
    ex.timer = undefined;
  }
  ex.responded = true;
  ex.up.responded(performance.now() - ex.attemptStart);
  ex.status = Number(headers[':status']) || 200;
  const grpcStatus = headers['grpc-status'];
  if (grpcStatus !== undefined) ex.grpcStatus = Number(grpcStatus);
  const stream = ex.stream;
  if (stream.destroyed) return;
  const out: OutgoingHttpHeaders = {};
  const strip = ex.policy.stripResponse;
  for (const name in headers) {
    if (name !== strip) out[name] = headers[name];
  }
  const endStream = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
  try {
    stream.respond(out, { endStream, waitForTrailers: !endStream });
  } catch {
    stream.destroy();
    return;
  }
  if (!endStream) this.pipe(stream);
}

function onTrailers(this: Tagged<ClientHttp2Stream>, trailers: IncomingHttpHeaders): void {
  const ex = this[kExchange] as H2Exchange;
  if (ex.upStream !== this) return;
  ex.trailers = trailers;
  const grpcStatus = trailers['grpc-status'];
  if (grpcStatus !== undefined) ex.grpcStatus = Number(grpcStatus);
}

function onWantTrailers(this: Tagged<ServerHttp2Stream>): void {
  const ex = this[kExchange] as H2Exchange;
  const out: OutgoingHttpHeaders = {};
  if (ex.trailers) {
    for (const name in ex.trailers) out[name] = ex.trailers[name];
  }
  try {
    this.sendTrailers(out);
  } catch {
    this.destroy();
  }
}

function onUpstreamError(this: Tagged<ClientHttp2Stream>, err: Error): void {
  const ex = this[kExchange] as H2Exchange;
  if (ex.upStream === this) ex.fail(err);
}

function onUpstreamClose(this: Tagged<ClientHttp2Stream>): void {
  const ex = this[kExchange] as H2Exchange;
  if (ex.finished || ex.upStream !== this) return;
  const code = this.rstCode ?? 0;
  if (!ex.responded) {
    ex.fail(new ProxyError('WEFT_PROXY_UPSTREAM_IO', `${ex.up.name}: stream closed before a response (code ${code})`));
    return;
  }
  // A reset from the server reaches the client as the same reset.
  if (code !== constants.NGHTTP2_NO_ERROR && !ex.stream.destroyed) ex.stream.close(code);
  if (code !== constants.NGHTTP2_NO_ERROR || ex.stream.closed) ex.finish();
}

function onClientClose(this: Tagged<ServerHttp2Stream>): void {
  const ex = this[kExchange] as H2Exchange;
  const up = ex.upStream;
  if (up && !up.closed) up.close(this.rstCode ? this.rstCode : constants.NGHTTP2_CANCEL);
  ex.finish();
}

function onClientError(this: Tagged<ServerHttp2Stream>): void {
  const ex = this[kExchange] as H2Exchange;
  ex.upStream?.close(constants.NGHTTP2_CANCEL);
}

function onResponseTimeout(ex: H2Exchange): void {
  ex.timer = undefined;
  ex.upStream?.close(constants.NGHTTP2_CANCEL);
  ex.fail(
    new ProxyError(
      'WEFT_PROXY_RESPONSE_TIMEOUT',
      `${ex.up.name}: no response within ${ex.policy.timeoutIsRoute ? "the route's " : ''}${ex.policy.responseTimeoutMs}ms`,
    ),
  );
}
