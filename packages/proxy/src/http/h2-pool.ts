import { type ClientHttp2Session, connect } from 'node:http2';
import type { TcpSeries } from '../metrics/tcp.ts';
import { ALPN_H2, type ConnectTarget, connectUpstream } from '../tls/connect.ts';
import type { LocalIdentity } from '../tls/local-identity.ts';

// One multiplexed HTTP/2 session per upstream, opened on first use and
// replaced once it closes or receives GOAWAY. Streams never wait for the
// handshake: they queue inside the session until it is up.

export class H2Session {
  readonly #target: ConnectTarget;
  readonly #identity: LocalIdentity | undefined;
  readonly #connectMs: number;
  #session: ClientHttp2Session | undefined;

  readonly #tcp: TcpSeries;

  constructor(target: ConnectTarget, identity: LocalIdentity | undefined, connectMs: number, tcp: TcpSeries) {
    this.#target = target;
    this.#identity = identity;
    this.#connectMs = connectMs;
    this.#tcp = tcp;
  }

  get(): ClientHttp2Session {
    const current = this.#session;
    if (current && !current.closed && !current.destroyed) return current;
    const target = this.#target;
    const session = connect(`http://${target.host}:${target.port}`, {
      createConnection: () => {
        const socket = connectUpstream(target, this.#identity, ALPN_H2, this.#connectMs);
        this.#tcp.track(socket);
        return socket;
      },
      settings: { enablePush: false },
      maxSessionMemory: 64,
    });
    session.on('error', () => {});
    session.on('goaway', () => {
      if (this.#session === session) this.#session = undefined;
    });
    session.on('close', () => {
      if (this.#session === session) this.#session = undefined;
    });
    this.#session = session;
    return session;
  }

  /** Lets open streams finish (GOAWAY), then closes. */
  close(): void {
    this.#session?.close();
    this.#session = undefined;
  }
}
