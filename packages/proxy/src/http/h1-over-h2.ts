import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ClientHttp2Stream, constants, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { ProxyError, upstreamError } from '../errors.ts';
import type { RequestSeries } from '../metrics/http.ts';
import { sendH1Error } from './error-response.ts';
import type { ForwardPolicy } from './h1-forward.ts';
import type { H2Upstream } from './h2-forward.ts';
import { h2ToRaw, ORIG_PROTO_HEADER, rawToH2 } from './h2-headers.ts';

// The client-side half of the orig-proto upgrade: an HTTP/1 request from the
// app travels to the peer proxy as a stream of the shared HTTP/2 session, and
// its response comes back as HTTP/1 (status, headers, body, trailers).

const kExchange = Symbol('weft.upgraded');
type Tagged<T> = T & { [kExchange]?: Upgraded };

class Upgraded {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly up: H2Upstream;
  readonly series: RequestSeries;
  readonly policy: ForwardPolicy;
  readonly start = performance.now();
  stream: ClientHttp2Stream | undefined;
  trailers: IncomingHttpHeaders | undefined;
  timer: NodeJS.Timeout | undefined;
  status = 0;
  responded = false;
  finished = false;
  requestEnded = false;
  constructor(req: IncomingMessage, res: ServerResponse, up: H2Upstream, series: RequestSeries, policy: ForwardPolicy) {
    this.req = req;
    this.res = res;
    this.up = up;
    this.series = series;
    this.policy = policy;
  }

  finish(status: number): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    if (!this.responded) this.up.responded(performance.now() - this.start);
    this.up.result?.(status, -1);
    this.up.finished();
    this.series.response(status, -1).record(performance.now() - this.start);
  }

  fail(err: unknown): void {
    if (this.finished) return;
    if (this.responded) {
      this.res.destroy();
      this.finish(this.status);
      return;
    }
    const failure = upstreamError(err, this.up.name);
    sendH1Error(this.res, failure, this.policy.informational);
    this.finish(failure.status);
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
  series.requests++;
  const ex = new Upgraded(req, res, up, series, policy);
  up.started();
  const headers: OutgoingHttpHeaders = {
    ':method': req.method,
    ':path': req.url,
    ':scheme': 'http',
    ':authority': req.headers.host ?? '',
    [ORIG_PROTO_HEADER]: req.httpVersion === '1.0' ? 'HTTP/1.0' : 'HTTP/1.1',
  };
  rawToH2(req.rawHeaders, headers, policy.stripRequest);
  if (addName !== undefined && addValue !== undefined) headers[addName] = addValue;
  let stream: Tagged<ClientHttp2Stream>;
  try {
    stream = up.h2.get().request(headers, { endStream: !hasBody });
  } catch (err) {
    ex.fail(err);
    return;
  }
  stream[kExchange] = ex;
  ex.stream = stream;
  (req as Tagged<IncomingMessage>)[kExchange] = ex;
  (res as Tagged<ServerResponse>)[kExchange] = ex;
  stream.on('response', onResponse);
  stream.on('trailers', onTrailers);
  stream.on('error', onError);
  stream.on('close', onStreamClose);
  res.on('close', onClientClose);
  if (req.headers.expect !== undefined) stream.on('continue', onContinue);
  if (hasBody) {
    req.on('data', onRequestData);
    req.on('end', onRequestEnd);
  } else ex.requestEnded = true;
  if (policy.responseTimeoutMs > 0) ex.timer = setTimeout(onResponseTimeout, policy.responseTimeoutMs, ex);
}

function onRequestData(this: Tagged<IncomingMessage>, chunk: Buffer): void {
  const stream = (this[kExchange] as Upgraded).stream as ClientHttp2Stream;
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
  if (ex.timer) {
    clearTimeout(ex.timer);
    ex.timer = undefined;
  }
  ex.responded = true;
  ex.up.responded(performance.now() - ex.start);
  ex.status = Number(headers[':status']) || 502;
  const res = ex.res;
  if (res.destroyed) return;
  try {
    res.writeHead(ex.status, h2ToRaw(headers, ex.policy.stripResponse, []));
  } catch (err) {
    ex.responded = false;
    ex.fail(err);
    return;
  }
  if ((flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0) {
    res.end();
    ex.finish(ex.status);
    if (!ex.requestEnded) dropRestOfRequest(ex);
    return;
  }
  // Body listeners only now: data read with the headers must not reach the
  // client before them (http2 emits 'response' a tick after the frames arrive).
  this.on('data', onData);
  this.on('end', onEnd);
}

function onTrailers(this: Tagged<ClientHttp2Stream>, trailers: IncomingHttpHeaders): void {
  (this[kExchange] as Upgraded).trailers = trailers;
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
  ex.finish(ex.status);
  if (!ex.requestEnded) dropRestOfRequest(ex);
}

function onError(this: Tagged<ClientHttp2Stream>, err: Error): void {
  (this[kExchange] as Upgraded).fail(err);
}

function onStreamClose(this: Tagged<ClientHttp2Stream>): void {
  const ex = this[kExchange] as Upgraded;
  if (ex.finished) return;
  if (!ex.responded || this.rstCode !== constants.NGHTTP2_NO_ERROR) {
    ex.fail(new ProxyError('WEFT_PROXY_UPSTREAM_IO', `${ex.up.name}: stream reset (code ${this.rstCode})`));
  }
}

function onClientClose(this: Tagged<ServerResponse>): void {
  const ex = this[kExchange] as Upgraded;
  if (ex.finished) return;
  ex.stream?.close(constants.NGHTTP2_CANCEL);
  ex.finish(ex.status || 499);
}

function onResponseTimeout(ex: Upgraded): void {
  ex.timer = undefined;
  ex.stream?.close(constants.NGHTTP2_CANCEL);
  ex.fail(
    new ProxyError('WEFT_PROXY_RESPONSE_TIMEOUT', `${ex.up.name}: no response within ${ex.policy.responseTimeoutMs}ms`),
  );
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
