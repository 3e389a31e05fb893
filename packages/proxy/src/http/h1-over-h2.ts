import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ClientHttp2Stream, constants, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { ProxyError } from '../errors.ts';
import type { RequestSeries } from '../metrics/http.ts';
import { Attempts } from '../retry/attempts.ts';
import type { ForwardPolicy } from '../route/policy.ts';
import { sendH1Error } from './error-response.ts';
import type { H2Upstream } from './h2-forward.ts';
import { h2ToRaw, ORIG_PROTO_HEADER, rawToH2 } from './h2-headers.ts';

// The client-side half of the orig-proto upgrade: an HTTP/1 request from the
// app travels to the peer proxy as a stream of the shared HTTP/2 session, and
// its response comes back as HTTP/1 (status, headers, body, trailers).
// Retries, timeout and metrics are the Attempts' (retry/).

const kExchange = Symbol('weft.upgraded');
type Tagged<T> = T & { [kExchange]?: Upgraded };

class Upgraded extends Attempts<H2Upstream> {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The request head as sent to the peer, kept for another attempt. */
  readonly headers: OutgoingHttpHeaders;
  stream: ClientHttp2Stream | undefined;
  trailers: IncomingHttpHeaders | undefined;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    up: H2Upstream,
    series: RequestSeries,
    policy: ForwardPolicy,
    headers: OutgoingHttpHeaders,
  ) {
    super(up, series, policy);
    this.req = req;
    this.res = res;
    this.headers = headers;
  }

  /** Sends the first attempt; false when the session refused the stream (the client has its answer). */
  first(hasBody: boolean): boolean {
    this.begin();
    return this.#open(!hasBody) !== undefined;
  }

  #open(endStream: boolean): ClientHttp2Stream | undefined {
    let stream: Tagged<ClientHttp2Stream>;
    try {
      stream = this.up.h2.get().request(this.headers, { endStream });
    } catch (err) {
      this.fail(err);
      return undefined;
    }
    stream[kExchange] = this;
    this.stream = stream;
    this.trailers = undefined;
    stream.on('response', onResponse);
    stream.on('trailers', onTrailers);
    stream.on('error', onError);
    stream.on('close', onStreamClose);
    if (this.req.headers.expect !== undefined) stream.on('continue', onContinue);
    return stream;
  }

  protected resend(): void {
    const stream = this.#open(this.replayBytes === 0);
    if (!stream || this.replayBytes === 0) return;
    for (const chunk of this.replay as Buffer[]) stream.write(chunk);
    stream.end();
  }

  cancel(): void {
    this.stream?.close(constants.NGHTTP2_CANCEL);
    this.fail(this.timedOut);
  }

  protected sendError(failure: ProxyError): void {
    sendH1Error(this.res, failure, this.policy.informational);
    this.finish(failure.status, -1);
  }

  protected breakOff(): void {
    this.res.destroy();
  }

  protected clientGone(): boolean {
    return this.res.destroyed;
  }
}

export function forwardH1OverH2(
  req: IncomingMessage,
  res: ServerResponse,
  up: H2Upstream,
  series: RequestSeries,
  policy: ForwardPolicy,
  hasBody: boolean,
  addName: string | undefined,
  addValue: string | undefined,
): void {
  const headers: OutgoingHttpHeaders = {
    ':method': req.method,
    ':path': req.url,
    ':scheme': 'http',
    ':authority': req.headers.host ?? '',
    [ORIG_PROTO_HEADER]: req.httpVersion === '1.0' ? 'HTTP/1.0' : 'HTTP/1.1',
  };
  rawToH2(req.rawHeaders, headers, policy.stripRequest);
  if (addName !== undefined && addValue !== undefined) headers[addName] = addValue;
  const ex = new Upgraded(req, res, up, series, policy, headers);
  ex.requestEnded = !hasBody;
  if (!ex.first(hasBody)) return;
  (req as Tagged<IncomingMessage>)[kExchange] = ex;
  (res as Tagged<ServerResponse>)[kExchange] = ex;
  res.on('close', onClientClose);
  if (hasBody) {
    req.on('data', onRequestData);
    req.on('end', onRequestEnd);
  }
}

function onRequestData(this: Tagged<IncomingMessage>, chunk: Buffer): void {
  const ex = this[kExchange] as Upgraded;
  ex.keep(chunk);
  const stream = ex.stream as ClientHttp2Stream;
  if (!stream.write(chunk)) {
    this.pause();
    stream.once('drain', resumeRequest);
  }
}

function resumeRequest(this: Tagged<ClientHttp2Stream>): void {
  (this[kExchange] as Upgraded).req.resume();
}

function onRequestEnd(this: Tagged<IncomingMessage>): void {
  const ex = this[kExchange] as Upgraded;
  ex.requestEnded = true;
  ex.stream?.end();
}

/**
 * The peer answered in full before the request body ended (413 to an upload
 * too large): the rest of the body is read and dropped, so the client, still
 * sending, reads the answer rather than a reset; the stream is cancelled.
 */
function dropRestOfRequest(ex: Upgraded): void {
  ex.req.off('data', onRequestData);
  ex.req.off('end', onRequestEnd);
  ex.req.resume();
  ex.stream?.close(constants.NGHTTP2_CANCEL);
}

function onContinue(this: Tagged<ClientHttp2Stream>): void {
  const ex = this[kExchange] as Upgraded;
  if (!ex.res.headersSent) ex.res.writeContinue();
}

function onResponse(this: Tagged<ClientHttp2Stream>, headers: IncomingHttpHeaders, flags: number): void {
  const ex = this[kExchange] as Upgraded;
  if (ex.stream !== this) return;
  const status = Number(headers[':status']) || 502;
  if (ex.retried(status, -1)) {
    if (!this.closed) this.close(constants.NGHTTP2_CANCEL);
    return;
  }
  ex.answered(status, -1);
  const res = ex.res;
  if (res.destroyed) return;
  try {
    res.writeHead(status, h2ToRaw(headers, ex.policy.stripResponse, []));
  } catch (err) {
    ex.responded = false;
    ex.fail(err);
    return;
  }
  if ((flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0) {
    res.end();
    ex.finish(status, -1);
    if (!ex.requestEnded) dropRestOfRequest(ex);
    return;
  }
  // Body listeners only now: data read with the headers must not reach the
  // client before them (http2 emits 'response' a tick after the frames arrive).
  this.on('data', onData);
  this.on('end', onEnd);
}

function onTrailers(this: Tagged<ClientHttp2Stream>, trailers: IncomingHttpHeaders): void {
  const ex = this[kExchange] as Upgraded;
  if (ex.stream === this) ex.trailers = trailers;
}

function onData(this: Tagged<ClientHttp2Stream>, chunk: Buffer): void {
  const ex = this[kExchange] as Upgraded;
  if (!ex.res.write(chunk)) {
    this.pause();
    ex.res.once('drain', resumeStream);
  }
}

function resumeStream(this: Tagged<ServerResponse>): void {
  (this[kExchange] as Upgraded).stream?.resume();
}

function onEnd(this: Tagged<ClientHttp2Stream>): void {
  const ex = this[kExchange] as Upgraded;
  if (ex.finished || !ex.responded) return;
  if (ex.trailers) ex.res.addTrailers(h2Pairs(ex.trailers));
  ex.res.end();
  ex.finish(ex.status, -1);
  if (!ex.requestEnded) dropRestOfRequest(ex);
}

function onError(this: Tagged<ClientHttp2Stream>, err: Error): void {
  const ex = this[kExchange] as Upgraded;
  if (ex.stream === this) ex.fail(err);
}

function onStreamClose(this: Tagged<ClientHttp2Stream>): void {
  const ex = this[kExchange] as Upgraded;
  if (ex.finished || ex.stream !== this) return;
  if (!ex.responded || this.rstCode !== constants.NGHTTP2_NO_ERROR) {
    ex.fail(new ProxyError('WEFT_PROXY_UPSTREAM_IO', `${ex.up.name}: stream reset (code ${this.rstCode})`));
  }
}

function onClientClose(this: Tagged<ServerResponse>): void {
  const ex = this[kExchange] as Upgraded;
  if (ex.finished) return;
  ex.stream?.close(constants.NGHTTP2_CANCEL);
  ex.finish(ex.status || 499, -1);
}

function h2Pairs(trailers: IncomingHttpHeaders): [string, string][] {
  const out: [string, string][] = [];
  for (const name in trailers) {
    const v = trailers[name];
    if (v === undefined || name.charCodeAt(0) === 58) continue;
    if (Array.isArray(v)) for (const x of v) out.push([name, x]);
    else out.push([name, v]);
  }
  return out;
}
