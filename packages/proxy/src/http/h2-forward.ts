import {
  type ClientHttp2Stream,
  constants,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { ProxyError, upstreamError } from '../errors.ts';
import type { RequestSeries } from '../metrics/http.ts';
import { isGrpc, sendH2Error } from './error-response.ts';
import type { ForwardPolicy } from './h1-forward.ts';
import type { H2Session } from './h2-pool.ts';

// Forwards one HTTP/2 stream (gRPC included) over a multiplexed session:
// headers, data both ways with flow control, trailers (grpc-status), resets
// and cancellation in both directions.

export interface H2Upstream {
  readonly h2: H2Session;
  readonly name: string;
  started(): void;
  responded(latencyMs: number): void;
  finished(): void;
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
    if (!this.responded) this.up.responded(performance.now() - this.start);
    this.up.finished();
    this.series.response(this.status || 502, this.grpcStatus).record(performance.now() - this.start);
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
  up.started();
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (name !== addName) out[name] = headers[name];
  }
  if (addName !== undefined && addValue !== undefined) out[addName] = addValue;
  let upStream: Tagged<ClientHttp2Stream>;
  try {
    upStream = up.h2.get().request(out, { endStream: stream.endAfterHeaders });
  } catch (err) {
    ex.fail(err);
    return;
  }
  upStream[kExchange] = ex;
  ex.upStream = upStream;
  (stream as Tagged<ServerHttp2Stream>)[kExchange] = ex;
  upStream.on('response', onResponse);
  upStream.on('trailers', onTrailers);
  upStream.on('error', onUpstreamError);
  upStream.on('close', onUpstreamClose);
  stream.on('close', onClientClose);
  stream.on('error', onClientError);
  stream.on('wantTrailers', onWantTrailers);
  if (!stream.endAfterHeaders) stream.pipe(upStream);
  if (policy.responseTimeoutMs > 0) ex.timer = setTimeout(onResponseTimeout, policy.responseTimeoutMs, ex);
}

function onResponse(this: Tagged<ClientHttp2Stream>, headers: IncomingHttpHeaders, flags: number): void {
  const ex = this[kExchange] as H2Exchange;
  if (ex.timer) {
    clearTimeout(ex.timer);
    ex.timer = undefined;
  }
  ex.responded = true;
  ex.up.responded(performance.now() - ex.start);
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
  (this[kExchange] as H2Exchange).fail(err);
}

function onUpstreamClose(this: Tagged<ClientHttp2Stream>): void {
  const ex = this[kExchange] as H2Exchange;
  if (ex.finished) return;
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
    new ProxyError('WEFT_PROXY_RESPONSE_TIMEOUT', `${ex.up.name}: no response within ${ex.policy.responseTimeoutMs}ms`),
  );
}
