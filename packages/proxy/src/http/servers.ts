import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  constants,
  createServer as createH2Server,
  type Http2Server,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { Duplex } from 'node:stream';
import { type Guard, remoteOf } from '../listener/guard.ts';
import type { Limits, Timeouts } from '../settings/listener.ts';

// The HTTP/1 and HTTP/2 servers of one direction. They never listen: the
// accept stage detects the protocol and hands them connections. Limits here
// are what keeps hostile clients bounded (header size, slow headers, memory).

export interface H1Handlers {
  request(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export function createH1Server(timeouts: Timeouts, handlers: H1Handlers): Server {
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      // Bodies may stream for as long as they need (1 GiB uploads); idle is bounded below.
      requestTimeout: 0,
      keepAliveTimeout: timeouts.idleMs,
      connectionsCheckingInterval: Math.min(1000, timeouts.headersMs),
      maxHeaderSize: 64 * 1024,
      noDelay: true,
    },
    handlers.request,
  );
  // An Expect: 100-continue request is forwarded as is; the upstream decides.
  server.on('checkContinue', handlers.request);
  server.on('upgrade', handlers.upgrade);
  server.on('clientError', onClientError);
  // A client may half-close after its request (as `nc -N` does) and still
  // read the answer; by default node:http ends such connections at once.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  // Connection tracking (which enforces headersTimeout) starts on 'listening';
  // these servers are fed detected sockets instead of listening themselves.
  server.emit('listening');
  return server;
}

function onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? '431 Request Header Fields Too Large'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
}

export type H2Handler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void;

/** How fast one connection may open streams: a token bucket, refilled continuously. */
type StreamRate = Pick<Limits, 'streamsPerSecond' | 'streamBurst'>;

const kOpenStreams = Symbol('weft.openStreams');
const kTokens = Symbol('weft.streamTokens');
const kRefilledAt = Symbol('weft.streamsRefilledAt');
const kRemote = Symbol('weft.sessionRemote');
type Counted = Http2Session & {
  [kOpenStreams]?: number;
  [kTokens]?: number;
  [kRefilledAt]?: number;
  /** The peer, read once while the session's socket is bound (see Guard.stream). */
  [kRemote]?: string;
};

export function createH2ServerFor(timeouts: Timeouts, guard: Guard, rate: StreamRate, handler: H2Handler): Http2Server {
  const server = createH2Server({
    maxSessionMemory: 64,
    maxHeaderListPairs: 256,
    settings: { maxConcurrentStreams: 1000, maxHeaderListSize: 64 * 1024 },
  });
  // Listened for on each session rather than the server, to know the stream's connection even when it is already gone.
  const onStream = function (this: Counted, stream: ServerHttp2Stream, headers: IncomingHttpHeaders) {
    guard.stream(stream, this[kRemote]);
    // Reset in the same read as its HEADERS (rapid reset): it never reaches the app.
    if (stream.destroyed) return;
    if (!takeToken(this, rate)) {
      guard.limited('stream_rate', this.socket?.remoteAddress);
      this.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM);
      this.destroy();
      return;
    }
    this[kOpenStreams] = (this[kOpenStreams] ?? 0) + 1;
    stream.once('close', () => {
      this[kOpenStreams] = (this[kOpenStreams] ?? 1) - 1;
    });
    handler(stream, headers);
  };
  server.on('sessionError', (err: Error, session: Counted) => guard.sessionError(err, session[kRemote]));
  // A session with no stream open and nothing received for the idle timeout
  // is closed: it may be a client stalled halfway through a frame. Sessions
  // with open streams (long gRPC calls) are left alone.
  server.on('session', (session: Counted) => {
    session[kRemote] = remoteOf(session.socket);
    session[kOpenStreams] = 0;
    session[kTokens] = rate.streamBurst;
    session[kRefilledAt] = performance.now();
    session.on('stream', onStream);
    // A client that half-closed can send nothing more: neither the rest of a
    // request body nor the WINDOW_UPDATE a response needs. Its session ends,
    // and with it the streams it forwarded.
    session.socket.once('end', () => session.destroy());
    session.setTimeout(timeouts.idleMs, () => {
      if (session[kOpenStreams] === 0) session.destroy();
    });
  });
  return server;
}

function takeToken(session: Counted, rate: StreamRate): boolean {
  const now = performance.now();
  const tokens = Math.min(
    rate.streamBurst,
    (session[kTokens] ?? rate.streamBurst) + ((now - (session[kRefilledAt] ?? now)) * rate.streamsPerSecond) / 1000,
  );
  session[kRefilledAt] = now;
  if (tokens < 1) {
    session[kTokens] = tokens;
    return false;
  }
  session[kTokens] = tokens - 1;
  return true;
}
