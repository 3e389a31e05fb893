import { type Socket, connect as tcpConnect } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { clientTlsOptions } from '@weft/identity/tls';
import { ProxyError } from '../errors.ts';
import type { LocalIdentity } from './local-identity.ts';

// The client side of mTLS between proxies, and the connect timeout that
// bounds every upstream connection (meshed or not).

/** ALPN ids spoken between proxies; the inbound side routes on them. */
export const ALPN_H1 = 'http/1.1';
export const ALPN_H2 = 'h2';
export const ALPN_OPAQUE = 'weft.dev/opaque';

export interface PeerTls {
  /** The identity the server must prove. */
  readonly name: string;
  /** The SNI to send; the identity name unless discovery says otherwise. */
  readonly serverName: string;
}

export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
  readonly tls: PeerTls | undefined;
  /**
   * The last TLS session ticket from this peer. Resuming skips the signature
   * and certificate checks of a full handshake, which is most of its CPU when
   * a pool opens many connections at once.
   */
  resumption?: Buffer | undefined;
}

/** TLS options for a connection to a meshed peer, verifying it is `peer.name`. */
export function peerTlsOptions(local: LocalIdentity, peer: PeerTls, alpn: string): ConnectionOptions {
  return { ...clientTlsOptions(local, peer.name, peer.serverName), ALPNProtocols: [alpn] };
}

/**
 * Opens a connection to `target`, over mTLS when it has a peer identity.
 * The socket is destroyed with a WEFT_PROXY_CONNECT_TIMEOUT error if it is
 * not established (handshake included) within `timeoutMs`.
 */
export function connectUpstream(
  target: ConnectTarget,
  local: LocalIdentity | undefined,
  alpn: string,
  timeoutMs: number,
): Socket {
  let socket: Socket;
  let ready: string;
  if (target.tls && local) {
    const tls = tlsConnect({
      socket: tcpConnect({ host: target.host, port: target.port, noDelay: true }),
      session: target.resumption,
      ...peerTlsOptions(local, target.tls, alpn),
    });
    tls.on('session', (ticket: Buffer) => {
      target.resumption = ticket;
    });
    socket = tls;
    ready = 'secureConnect';
  } else {
    socket = tcpConnect({ host: target.host, port: target.port, noDelay: true });
    ready = 'connect';
  }
  const timer = setTimeout(onConnectTimeout, timeoutMs, socket, target);
  socket.once(ready, () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
  return socket;
}

function onConnectTimeout(socket: Socket, target: ConnectTarget): void {
  socket.destroy(new ProxyError('WEFT_PROXY_CONNECT_TIMEOUT', `${target.host}:${target.port}: connect timeout`));
}
