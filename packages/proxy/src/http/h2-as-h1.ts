import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { constants, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { ProxyError } from '../errors.ts';
import type { RequestSeries } from '../metrics/http.ts';
import { Attempts } from '../retry/attempts.ts';
import type { ForwardPolicy } from '../route/policy.ts';
import { sendH2Error } from './error-response.ts';
import type { H1Upstream } from './h1-forward.ts';
import { h2ToRaw, ORIG_PROTO_HEADER, rawToH2 } from './h2-headers.ts';

// The server-side half of the orig-proto upgrade: a stream that carries an
// HTTP/1 request from the peer proxy goes to the app as HTTP/1.1 again, and
// the app's response returns on the stream, trailers included. Retries,
// timeout and metrics are the Attempts' (retry/).

const kExchange = Symbol('weft.downgraded');
type Tagged<T> = T & { [kExchange]?: Downgraded };

class Downgraded extends Attempts<H1Upstream> {
  readonly stream: ServerHttp2Stream;
  readonly method: string | undefined;
  readonly path: string | undefined;
  /** The request head as sent to the app, kept for another attempt. */
  readonly raw: string[];
  upReq: ClientRequest | undefined;
  upRes: IncomingMessage | undefined;

  constructor(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    raw: string[],
    up: H1Upstream,
    series: RequestSeries,
    policy: ForwardPolicy,
  ) {
    super(up, series, policy);
    this.stream = stream;
    this.method = headers[':method'];
    this.path = headers[':path'];
    this.raw = raw;
  }

  first(expect: boolean): ClientRequest {
    this.begin();
    const upReq = this.#send();
    if (expect) upReq.on('continue', onContinue);
    return upReq;
  }

  #send(): ClientRequest {
    const upReq: Tagged<ClientRequest> = request({
      agent: this.up.agent,
      host: this.up.host,
      port: this.up.port,
      method: this.method,
      path: this.path,
      headers: this.raw,
      setHost: false,
    });
    upReq[kExchange] = this;
    this.upReq = upReq;
    upReq.on('response', onResponse);
    upReq.on('error', onUpstreamError);
    return upReq;
  }

  protected resend(): void {
    const upReq = this.#send();
    for (const chunk of this.replay as Buffer[]) upReq.write(chunk);
    upReq.end();
  }

  cancel(): void {
    this.upReq?.destroy(this.timedOut);
  }

  protected sendError(failure: ProxyError): void {
    sendH2Error(this.stream, false, failure, this.policy.informational);
    this.finish(failure.status, -1);
  }

  protected breakOff(): void {
    if (!this.stream.destroyed) this.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  }

  protected clientGone(): boolean {
    return this.stream.destroyed;
  }
}

export function forwardH2AsH1(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  up: H1Upstream,
  series: RequestSeries,
  policy: ForwardPolicy,
  addName: string | undefined,
  addValue: string | undefined,
): void {
  const raw = ['host', headers[':authority'] ?? ''];
  h2ToRaw(headers, policy.stripRequest, raw);
  if (addName !== undefined && addValue !== undefined) raw.push(addName, addValue);
  const hasBody = !stream.endAfterHeaders;
  // HTTP/2 frames the body itself; HTTP/1 needs a length or chunked framing.
  if (hasBody && headers['content-length'] === undefined) raw.push('transfer-encoding', 'chunked');
  const ex = new Downgraded(stream, headers, raw, up, series, policy);
  (stream as Tagged<ServerHttp2Stream>)[kExchange] = ex;
  const upReq = ex.first(headers.expect !== undefined);
  // Its 'error' listener is the listener's guard (servers.ts), added as it arrived.
  stream.on('close', onStreamClose);
  if (hasBody) {
    stream.on('data', onRequestData);
    stream.on('end', onRequestEnd);
  } else {
    ex.requestEnded = true;
    upReq.end();
  }
}

function onRequestData(this: Tagged<ServerHttp2Stream>, chunk: Buffer): void {
  const ex = this[kExchange] as Downgraded;
  ex.keep(chunk);
  const upReq = ex.upReq as ClientRequest;
  if (!upReq.write(chunk)) {
    this.pause();
    upReq.once('drain', resumeStream);
  }
}

function resumeStream(this: Tagged<ClientRequest>): void {
  (this[kExchange] as Downgraded).stream.resume();
}

function onRequestEnd(this: Tagged<ServerHttp2Stream>): void {
  const ex = this[kExchange] as Downgraded;
  ex.requestEnded = true;
  ex.upReq?.end();
}

function onContinue(this: Tagged<ClientRequest>): void {
  const ex = this[kExchange] as Downgraded;
  if (!ex.stream.headersSent && !ex.stream.destroyed) ex.stream.additionalHeaders({ ':status': 100 });
}

function onResponse(this: Tagged<ClientRequest>, upRes: Tagged<IncomingMessage>): void {
  const ex = this[kExchange] as Downgraded;
  if (ex.upReq !== this) return;
  const status = upRes.statusCode ?? 502;
  if (ex.retried(status, -1)) {
    upRes.resume();
    return;
  }
  ex.answered(status, -1);
  ex.upRes = upRes;
  upRes[kExchange] = ex;
  const stream = ex.stream;
  if (stream.destroyed) {
    upRes.destroy();
    return;
  }
  const out: OutgoingHttpHeaders = { ':status': status, [ORIG_PROTO_HEADER]: 'HTTP/1.1' };
  rawToH2(upRes.rawHeaders, out, undefined);
  // Only a chunked response can end with trailers; others end with their last data frame.
  const trailers = upRes.headers['transfer-encoding'] !== undefined;
  try {
    stream.respond(out, { waitForTrailers: trailers });
  } catch {
    stream.destroy();
    upRes.destroy();
    return;
  }
  if (trailers) stream.once('wantTrailers', onWantTrailers);
  upRes.on('data', onResponseData);
  upRes.on('end', onResponseEnd);
  upRes.on('error', onResponseError);
}

function onResponseData(this: Tagged<IncomingMessage>, chunk: Buffer): void {
  const stream = (this[kExchange] as Downgraded).stream;
  if (!stream.write(chunk)) {
    this.pause();
    stream.once('drain', resumeResponse);
  }
}

function resumeResponse(this: Tagged<ServerHttp2Stream>): void {
  (this[kExchange] as Downgraded).upRes?.resume();
}

function onResponseEnd(this: Tagged<IncomingMessage>): void {
  const ex = this[kExchange] as Downgraded;
  ex.stream.end();
  ex.finish(ex.status, -1);
  if (!ex.requestEnded) dropRestOfRequest(ex);
}

/**
 * The app answered in full before the request body ended (413 to an upload
 * too large): the peer is told to stop sending (RST_STREAM NO_ERROR once the
 * answer is out, RFC 9113 §8.1), and the app connection, which would wait
 * for that body, is closed.
 */
function dropRestOfRequest(ex: Downgraded): void {
  ex.stream.off('data', onRequestData);
  ex.stream.off('end', onRequestEnd);
  ex.stream.resume();
  ex.stream.close(constants.NGHTTP2_NO_ERROR);
  ex.upReq?.destroy();
}

function onWantTrailers(this: Tagged<ServerHttp2Stream>): void {
  const ex = this[kExchange] as Downgraded;
  const raw = ex.upRes?.rawTrailers ?? [];
  try {
    this.sendTrailers(rawToH2(raw, {}, undefined));
  } catch {
    this.destroy();
  }
}

function onResponseError(this: Tagged<IncomingMessage>): void {
  (this[kExchange] as Downgraded).fail(new ProxyError('WEFT_PROXY_UPSTREAM_IO', 'app response broke off'));
}

function onUpstreamError(this: Tagged<ClientRequest>, err: Error): void {
  const ex = this[kExchange] as Downgraded;
  if (ex.upReq === this) ex.fail(err);
}

function onStreamClose(this: Tagged<ServerHttp2Stream>): void {
  const ex = this[kExchange] as Downgraded;
  if (ex.finished) return;
  // The peer cancelled: stop the app's request too.
  ex.upReq?.destroy();
  ex.finish(ex.status || 499, -1);
}
