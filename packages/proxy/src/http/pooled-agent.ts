import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import type { TcpSeries } from '../metrics/tcp.ts';
import { ALPN_H1, type ConnectTarget, connectUpstream } from '../tls/connect.ts';
import type { LocalIdentity } from '../tls/local-identity.ts';
import { readPastBrokenWrites, writesBroken } from './broken-writes.ts';

// A keep-alive HTTP/1 connection pool to one upstream, connecting with mTLS
// when the upstream has an identity, bounded by the connect timeout, and
// counting its connections in the tcp_* metrics (peer="dst"), and reading an
// answer that arrives as the upstream resets the connection mid-body.

export class PooledAgent extends Agent {
  readonly #target: ConnectTarget;
  readonly #identity: LocalIdentity | undefined;
  readonly #connectMs: number;
  readonly #tcp: TcpSeries;

  constructor(target: ConnectTarget, identity: LocalIdentity | undefined, connectMs: number, tcp: TcpSeries) {
    // LIFO keeps the fewest connections warm under light load.
    super({ keepAlive: true, scheduling: 'lifo', maxFreeSockets: 256 });
    this.#target = target;
    this.#identity = identity;
    this.#connectMs = connectMs;
    this.#tcp = tcp;
  }

  override createConnection(): Socket {
    const socket = connectUpstream(this.#target, this.#identity, ALPN_H1, this.#connectMs);
    this.#tcp.track(socket);
    readPastBrokenWrites(socket);
    return socket;
  }

  /** A connection whose peer reset it while a body was sent is not reused, whatever its last answer said. */
  // Node's Agent returns whether the socket goes back to the pool, though its typings say void.
  override keepSocketAlive(socket: Socket): boolean {
    return !writesBroken(socket) && (super.keepSocketAlive(socket) as unknown as boolean);
  }
}
