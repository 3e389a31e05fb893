import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { continueTrace, extraHeaders, type HeaderBag, mayCarryContext, type TraceContext } from './context.ts';

// One per-request observer interface that tracing and tap implement. The
// direction servers call `observeH1` / `observeH2` as a request starts; when
// no tap is watching and the request carries no sampled trace context, that
// is a few property reads and nothing else. Otherwise the request's response
// is watched through its own ServerResponse / stream (status, bytes,
// grpc-status, reset), so the forwarders themselves stay untouched.

export interface RequestMeta {
  readonly direction: 'inbound' | 'outbound';
  readonly method: string;
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  /** ip:port of the connection's client. */
  readonly src: string;
  /** ip:port the request is sent to (the app inbound, the endpoint outbound). */
  readonly dst: string;
  readonly tls: boolean;
  readonly clientId: string | undefined;
  readonly serverId: string | undefined;
  /** Present when the request arrived with a sampled trace context. */
  readonly trace: TraceContext | undefined;
  /** The request's headers as received; read only by tap, and only when someone taps. */
  readonly headers: IncomingHttpHeaders;
}

export interface ResponseEnd {
  /** HTTP status sent to the client (0 when none was). */
  readonly status: number;
  /** -1 when the response carried none. */
  readonly grpcStatus: number;
  /** Response body bytes sent to the client. */
  readonly bytes: number;
  /** HTTP/2 reset code when the stream ended with one. */
  readonly resetCode: number | undefined;
}

export interface RequestHooks {
  responseStart(atNs: bigint, status: number): void;
  end(atNs: bigint, r: ResponseEnd): void;
}

export interface RequestObserver {
  /** True while the observer wants every request (a tap is watching). */
  readonly active: boolean;
  begin(meta: RequestMeta, startNs: bigint): RequestHooks | undefined;
}

export class Observers {
  /** Continues sampled traces; undefined without a collector. */
  readonly tracer: RequestObserver | undefined;
  readonly tap: RequestObserver | undefined;

  constructor(tracer: RequestObserver | undefined, tap: RequestObserver | undefined) {
    this.tracer = tracer;
    this.tap = tap;
  }

  /**
   * `dst` is where the request goes; `clientId` (inbound) or `serverId`
   * (outbound) the verified peer identity, undefined without mTLS.
   */
  observeH1(
    direction: RequestMeta['direction'],
    req: IncomingMessage,
    res: ServerResponse,
    dst: string,
    clientId: string | undefined,
    serverId: string | undefined,
  ): void {
    const trace = this.tracer && mayCarryContext(req.headers) ? continueTrace(req.headers) : undefined;
    if (!trace && !this.tap?.active) return;
    if (trace) rewriteRaw(req, trace);
    const s = req.socket;
    const meta: RequestMeta = {
      direction,
      method: req.method ?? '',
      scheme: 'http',
      authority: req.headers.host ?? '',
      path: req.url ?? '',
      src: `${s.remoteAddress}:${s.remotePort}`,
      dst,
      tls: (direction === 'inbound' ? clientId : serverId) !== undefined,
      clientId,
      serverId,
      trace,
      headers: req.headers,
    };
    const hooks = this.#begin(meta);
    if (hooks) watchH1(res, hooks);
  }

  observeH2(
    direction: RequestMeta['direction'],
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    dst: string,
    clientId: string | undefined,
    serverId: string | undefined,
  ): void {
    const trace = this.tracer && mayCarryContext(headers) ? continueTrace(headers) : undefined;
    if (!trace && !this.tap?.active) return;
    if (trace) {
      (headers as HeaderBag as Record<string, string>)[trace.header] = trace.value;
      for (const [name, value] of extraHeaders(trace)) (headers as Record<string, string>)[name] = value;
    }
    const s = stream.session?.socket;
    const meta: RequestMeta = {
      direction,
      method: headers[':method'] ?? '',
      scheme: headers[':scheme'] ?? 'http',
      authority: headers[':authority'] ?? '',
      path: headers[':path'] ?? '',
      src: `${s?.remoteAddress}:${s?.remotePort}`,
      dst,
      tls: (direction === 'inbound' ? clientId : serverId) !== undefined,
      clientId,
      serverId,
      trace,
      headers,
    };
    const hooks = this.#begin(meta);
    if (hooks) watchH2(stream, hooks);
  }

  #begin(meta: RequestMeta): RequestHooks | undefined {
    const now = process.hrtime.bigint();
    const a = meta.trace ? this.tracer?.begin(meta, now) : undefined;
    const b = this.tap?.active ? this.tap.begin(meta, now) : undefined;
    if (a && b) {
      return {
        responseStart: (at, status) => {
          a.responseStart(at, status);
          b.responseStart(at, status);
        },
        end: (at, r) => {
          a.end(at, r);
          b.end(at, r);
        },
      };
    }
    return a ?? b;
  }
}

function rewriteRaw(req: IncomingMessage, trace: TraceContext): void {
  const raw = req.rawHeaders;
  const extra = extraHeaders(trace);
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (name === trace.header) raw[i + 1] = trace.value;
    else {
      const e = extra.findIndex(([n]) => n === name);
      if (e >= 0) {
        raw[i + 1] = (extra[e] as [string, string])[1];
        extra.splice(e, 1);
      }
    }
  }
  for (const [name, value] of extra) raw.push(name, value);
}

// The response is observed on the objects the forwarder writes to: their
// methods are wrapped on this one instance, only for observed requests.

function watchH1(res: ServerResponse, hooks: RequestHooks): void {
  let bytes = 0;
  let started = false;
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (!started) {
      started = true;
      hooks.responseStart(process.hrtime.bigint(), Number(args[0]) || 0);
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
  const write = res.write;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    if (chunk && typeof (chunk as { length?: number }).length === 'number') bytes += (chunk as Buffer).length;
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.once('close', () => {
    const status = res.headersSent ? res.statusCode : 0;
    if (!started && status) hooks.responseStart(process.hrtime.bigint(), status);
    hooks.end(process.hrtime.bigint(), { status, grpcStatus: -1, bytes, resetCode: undefined });
  });
}

function watchH2(stream: ServerHttp2Stream, hooks: RequestHooks): void {
  let bytes = 0;
  let status = 0;
  let grpcStatus = -1;
  const respond = stream.respond;
  stream.respond = function (this: ServerHttp2Stream, headers?: OutgoingHttpHeaders, options?: unknown) {
    status = Number(headers?.[':status']) || 200;
    if (headers?.['grpc-status'] !== undefined) grpcStatus = Number(headers['grpc-status']);
    hooks.responseStart(process.hrtime.bigint(), status);
    return (respond as (...a: unknown[]) => void).call(this, headers, options);
  } as ServerHttp2Stream['respond'];
  const sendTrailers = stream.sendTrailers;
  stream.sendTrailers = function (this: ServerHttp2Stream, trailers: OutgoingHttpHeaders) {
    if (trailers['grpc-status'] !== undefined) grpcStatus = Number(trailers['grpc-status']);
    return sendTrailers.call(this, trailers);
  };
  const write = stream.write;
  stream.write = function (this: ServerHttp2Stream, chunk: unknown, ...rest: unknown[]) {
    if (chunk && typeof (chunk as { length?: number }).length === 'number') bytes += (chunk as Buffer).length;
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerHttp2Stream['write'];
  stream.once('close', () => {
    const code = stream.rstCode;
    hooks.end(process.hrtime.bigint(), { status, grpcStatus, bytes, resetCode: code ? code : undefined });
  });
}
