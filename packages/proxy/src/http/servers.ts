import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  createServer as createH2Server,
  type Http2Server,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Timeouts } from '../app/env.ts';

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

const kOpenStreams = Symbol('weft.openStreams');
type Counted = Http2Session & { [kOpenStreams]?: number };

export function createH2ServerFor(timeouts: Timeouts, handler: H2Handler): Http2Server {
  const server = createH2Server({
    maxSessionMemory: 64,
    maxHeaderListPairs: 256,
    settings: { maxConcurrentStreams: 1000, maxHeaderListSize: 64 * 1024 },
  });
  server.on('stream', handler);
  server.on('stream', countStream);
  server.on('sessionError', () => {});
  // A session with no stream open and nothing received for the idle timeout
  // is closed: it may be a client stalled halfway through a frame. Sessions
  // with open streams (long gRPC calls) are left alone.
  server.on('session', (session: Counted) => {
    session[kOpenStreams] = 0;
    session.setTimeout(timeouts.idleMs, () => {
      if (session[kOpenStreams] === 0) session.destroy();
    });
  });
  return server;
}

function countStream(stream: ServerHttp2Stream): void {
  const session = stream.session as Counted | undefined;
  if (!session) return;
  session[kOpenStreams] = (session[kOpenStreams] ?? 0) + 1;
  stream.once('close', () => {
    session[kOpenStreams] = (session[kOpenStreams] ?? 1) - 1;
  });
}
