import { type Agent, type ClientRequest, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { ProxyError } from '../errors.ts';
import type { RequestSeries } from '../metrics/http.ts';
import { Attempts, type AttemptTarget } from '../retry/attempts.ts';
import type { ForwardPolicy } from '../route/policy.ts';
import { resetConnection } from '../timeout/cancel.ts';
import { sendH1Error } from './error-response.ts';
import { forwardRawHeaders, trailerPairs } from './headers.ts';

// Forwards one HTTP/1 request to an upstream over a pooled connection and
// streams the response back: bodies piped with backpressure, trailers,
// 100-continue. Retries, timeout and metrics are the Attempts' (retry/).
// Listeners are shared module functions reading their state from the
// emitter, so a request allocates one exchange object, not closures.

/** Where a request goes over HTTP/1, and the hooks that feed load balancing and draining. */
export interface H1Upstream extends AttemptTarget {
  readonly agent: Agent;
  readonly host: string;
  readonly port: number;
}

const kExchange = Symbol('weft.exchange');
type Tagged<T> = T & { [kExchange]?: Exchange };

class Exchange extends Attempts<H1Upstream> {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly headers: string[];
  bodyless = true;
  /** The request was sent once more on a fresh connection (see reconnectable). */
  reconnected = false;
  upReq: ClientRequest | undefined;
  upRes: IncomingMessage | undefined;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    up: H1Upstream,
    series: RequestSeries,
    policy: ForwardPolicy,
    headers: string[],
  ) {
    super(up, series, policy);
    this.req = req;
    this.res = res;
    this.headers = headers;
  }

  first(): ClientRequest {
    this.begin();
    return send(this);
  }

  protected resend(): void {
    const upReq = send(this);
    for (const chunk of this.replay as Buffer[]) upReq.write(chunk);
    const trailers = this.req.rawTrailers;
    if (trailers.length > 0) upReq.addTrailers(trailerPairs(trailers, this.policy.stripRequest));
    upReq.end();
  }

  cancel(): void {
    this.reconnected = true;
    // The upstream must see the cancellation, a peer proxy included.
    resetConnection(this.upReq?.socket);
    this.upReq?.destroy(this.timedOut);
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

export function forwardH1(
  req: IncomingMessage,
  res: ServerResponse,
  up: H1Upstream,
  series: RequestSeries,
  policy: ForwardPolicy,
  addName: string | undefined,
  addValue: string | undefined,
): void {
  const ex = new Exchange(
    req,
    res,
    up,
    series,
    policy,
    forwardRawHeaders(req.rawHeaders, policy.stripRequest, addName, addValue),
  );
  (res as Tagged<ServerResponse>)[kExchange] = ex;
  (req as Tagged<IncomingMessage>)[kExchange] = ex;
  res.on('close', onClientClose);
  const upReq = ex.first();
  if (hasBody(req)) {
    ex.bodyless = false;
    req.on('data', onRequestData);
    req.on('end', onRequestEnd);
  } else {
    ex.requestEnded = true;
    // Most requests carry no body: send the head now, without stream plumbing.
    upReq.end();
  }
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
function reconnectable(ex: Exchange, upReq: ClientRequest, err: NodeJS.ErrnoException): boolean {
  return (
    ex.bodyless &&
    !ex.reconnected &&
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
  ex.keep(chunk);
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

function onContinue(this: Tagged<ClientRequest>): void {
  const ex = this[kExchange] as Exchange;
  if (!ex.res.headersSent) ex.res.writeContinue();
}

function onResponse(this: Tagged<ClientRequest>, upRes: Tagged<IncomingMessage>): void {
  const ex = this[kExchange] as Exchange;
  const status = upRes.statusCode ?? 502;
  if (ex.retried(status, -1)) {
    upRes.resume();
    return;
  }
  ex.answered(status, -1);
  upRes[kExchange] = ex;
  const res = ex.res;
  if (res.destroyed) {
    upRes.destroy();
    return;
  }
  try {
    res.writeHead(
      status,
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
  ex.finish(ex.status, -1);
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
  ex.finish(ex.status, -1);
}

function onUpstreamError(this: Tagged<ClientRequest>, err: Error): void {
  const ex = this[kExchange] as Exchange;
  if (ex.finished || ex.upReq !== this) return;
  if (reconnectable(ex, this, err)) {
    ex.reconnected = true;
    send(ex).end();
    return;
  }
  ex.req.off('data', onRequestData);
  ex.fail(err);
}

function onClientClose(this: Tagged<ServerResponse>): void {
  const ex = this[kExchange] as Exchange;
  if (ex.finished) return;
  // The client went away before the exchange completed: stop the upstream too.
  ex.upReq?.destroy();
  ex.finish(ex.status || 499, -1);
}
