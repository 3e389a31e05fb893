import type { ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { Direction, GuardCounters, LimitKind } from '../metrics/guard.ts';
import { ThrottledLog } from './throttled-log.ts';

// Nothing a client sends may end the process. Every socket, HTTP/2 session
// and stream a listener takes gets its error handling here, before any other
// work: the error is counted (network_errors_total), logged with the
// connection it came from (at most once per interval), and ends that
// connection or stream only. The listeners are one function per direction,
// shared by every connection, so guarding costs nothing per request.

/** Socket errors that are ordinary network life; tcp_close_total already counts them by errno. */
const ORDINARY = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);

/** Marks an error already counted: a socket's error is passed on to its session and streams. */
const kCounted = Symbol('weft.counted');
type Marked = Error & { [kCounted]?: true; code?: string };
/**
 * A stream's connection as "address:port", for the log line. Kept as text, not
 * as its session's socket: that socket is a proxy which throws once Node has
 * torn the session down, and a session error tears it down before the errors
 * of the streams it destroyed are emitted.
 */
const kRemote = Symbol('weft.remote');
type Guarded<T> = T & { [kRemote]?: string };

/** A connection's peer as "address:port", read while its socket is connected. */
export function remoteOf(socket: Pick<Socket, 'remoteAddress' | 'remotePort'>): string {
  return `${socket.remoteAddress}:${socket.remotePort}`;
}

export class Guard {
  readonly direction: Direction;
  readonly #counters: GuardCounters;
  readonly #log = new ThrottledLog();
  /** The 'error' listener of every accepted socket. */
  readonly onSocketError: (this: Socket, err: Error) => void;
  readonly #onStreamError: (this: Guarded<ServerHttp2Stream>, err: Error) => void;

  constructor(direction: Direction, counters: GuardCounters) {
    this.direction = direction;
    this.#counters = counters;
    const guard = this;
    this.onSocketError = function (this: Socket, err: Error) {
      this.destroy();
      guard.#report('socket', err, remoteOf(this));
    };
    this.#onStreamError = function (this: Guarded<ServerHttp2Stream>, err: Error) {
      // Node has already closed the stream; the session and its other streams go on.
      guard.#report('stream', err, this[kRemote]);
    };
  }

  /** The first step for every stream a client opens on the connection from `remote` (see remoteOf). */
  stream(stream: ServerHttp2Stream, remote: string | undefined): void {
    (stream as Guarded<ServerHttp2Stream>)[kRemote] = remote;
    stream.on('error', this.#onStreamError);
  }

  /** For the HTTP/2 server's 'sessionError': Node destroys the session, which ends its connection. */
  sessionError(err: Error, remote: string | undefined): void {
    this.#report('session', err, remote);
  }

  /** A limit refused a connection or closed one; counted, and logged once per interval. */
  limited(limit: LimitKind, remoteAddress: string | undefined): void {
    this.#counters.limit(this.direction, limit);
    this.#log.warn(`limit:${limit}`, `${this.direction} ${limit} limit reached; connection refused or closed`, {
      direction: this.direction,
      remote: remoteAddress,
    });
  }

  #report(kind: 'socket' | 'session' | 'stream', err: Marked, remote: string | undefined): void {
    if (err[kCounted] || (err.code !== undefined && ORDINARY.has(err.code))) return;
    err[kCounted] = true;
    this.#counters.error(this.direction, kind);
    this.#log.warn(`error:${kind}`, `${this.direction} ${kind} error; it was closed`, {
      direction: this.direction,
      remote,
      code: err.code,
      error: err.message,
    });
  }
}
