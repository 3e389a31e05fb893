import {
  type ClientHttp2Stream,
  constants,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { ProxyError } from '../errors.ts';
import type { RequestSeries } from '../metrics/http.ts';
import { Attempts, type AttemptTarget } from '../retry/attempts.ts';
import type { ForwardPolicy } from '../route/policy.ts';
import { isGrpc, sendH2Error } from './error-response.ts';
import type { H2Session } from './h2-pool.ts';
import { isStripped } from './headers.ts';

// Forwards one HTTP/2 stream (gRPC included) over a multiplexed session:
// headers, data both ways with flow control, trailers (grpc-status), resets
// and cancellation in both directions. Retries, timeout and metrics are the
// Attempts' (retry/).

/** Where a request goes over HTTP/2, and the hooks that feed load balancing and draining. */
export interface H2Upstream extends AttemptTarget {
  readonly h2: H2Session;
}

const kExchange = Symbol('weft.h2exchange');
type Tagged<T> = T & { [kExchange]?: H2Exchange };

class H2Exchange extends Attempts<H2Upstream> {
  readonly stream: ServerHttp2Stream;
  readonly grpc: boolean;
  /** The request head as sent upstream, kept for another attempt. */
  readonly out: OutgoingHttpHeaders;
  upStream: ClientHttp2Stream | undefined;
  trailers: IncomingHttpHeaders | undefined;

  constructor(
    stream: ServerHttp2Stream,
    up: H2Upstream,
    series: RequestSeries,
    policy: ForwardPolicy,
    out: OutgoingHttpHeaders,
    grpc: boolean,
  ) {
    super(up, series, policy);
    this.stream = stream;
    this.out = out;
    this.grpc = grpc;
  }

  /** Sends the first attempt; undefined when the session refused the stream (the client has its answer). */
  first(): ClientHttp2Stream | undefined {
    this.begin();
    this.requestEnded = this.stream.endAfterHeaders;
    return this.#open(this.requestEnded);
  }

  #open(endStream: boolean): ClientHttp2Stream | undefined {
    let upStream: Tagged<ClientHttp2Stream>;
    try {
      upStream = this.up.h2.get().request(this.out, { endStream });
    } catch (err) {
      this.fail(err);
      return undefined;
    }
    upStream[kExchange] = this;
    this.upStream = upStream;
    upStream.on('response', onResponse);
    upStream.on('trailers', onTrailers);
    upStream.on('error', onUpstreamError);
    upStream.on('close', onUpstreamClose);
    return upStream;
  }

  protected resend(): void {
    const upStream = this.#open(this.replayBytes === 0);
    if (!upStream || this.replayBytes === 0) return;
    for (const chunk of this.replay as Buffer[]) upStream.write(chunk);
    upStream.end();
  }

  cancel(): void {
    this.upStream?.close(constants.NGHTTP2_CANCEL);
    this.fail(this.timedOut);
  }

  protected sendError(failure: ProxyError): void {
    sendH2Error(this.stream, this.grpc, failure, this.policy.informational);
    if (this.grpc) this.finish(200, failure.grpcStatus);
    else this.finish(failure.status, -1);
  }

  protected breakOff(): void {
    if (!this.stream.destroyed) this.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  }

  protected clientGone(): boolean {
    return this.stream.destroyed;
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
  const out: OutgoingHttpHeaders = {};
  const strip = policy.stripRequest;
  for (const name in headers) {
    if (!isStripped(name, strip)) out[name] = headers[name];
  }
  if (addName !== undefined && addValue !== undefined) out[addName] = addValue;
  const ex = new H2Exchange(stream, up, series, policy, out, isGrpc(headers['content-type']));
  const upStream = ex.first();
  if (!upStream) return;
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
}

/** A gRPC status in a response head (trailers-only answer), -1 when none. */
function grpcStatusOf(headers: IncomingHttpHeaders): number {
  const value = headers['grpc-status'];
  return value === undefined ? -1 : Number(value);
}

function onClientData(this: Tagged<ServerHttp2Stream>, chunk: Buffer): void {
  const ex = this[kExchange] as H2Exchange;
  ex.keep(chunk);
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

function onResponse(this: Tagged<ClientHttp2Stream>, headers: IncomingHttpHeaders, flags: number): void {
  const ex = this[kExchange] as H2Exchange;
  if (ex.upStream !== this) return;
  const status = Number(headers[':status']) || 200;
  const grpcStatus = grpcStatusOf(headers);
  if (ex.retried(status, grpcStatus)) {
    if (!this.closed) this.close(constants.NGHTTP2_CANCEL);
    return;
  }
  ex.answered(status, grpcStatus);
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
  if (code !== constants.NGHTTP2_NO_ERROR || ex.stream.closed) ex.finish(ex.status, ex.grpcStatus);
}

function onClientClose(this: Tagged<ServerHttp2Stream>): void {
  const ex = this[kExchange] as H2Exchange;
  const up = ex.upStream;
  if (up && !up.closed) up.close(this.rstCode ? this.rstCode : constants.NGHTTP2_CANCEL);
  ex.finish(ex.status || 502, ex.grpcStatus);
}

function onClientError(this: Tagged<ServerHttp2Stream>): void {
  const ex = this[kExchange] as H2Exchange;
  ex.upStream?.close(constants.NGHTTP2_CANCEL);
}
