import type { PeerCertificate, SecureContext, TLSSocket } from 'node:tls';
import { ProxyError } from '../errors.ts';

// What the data path needs of an identity, and the peer checks it makes.
// The identity client of @weft/identity satisfies LocalIdentity as it is;
// the data path itself does not load that package (its X.509 and CSR
// machinery is only needed by the client that renews the certificate).

export interface LocalIdentity {
  /** `<sa>.<ns>.serviceaccount.identity.<cp-ns>.<trust-domain>`; also our TLS server name. */
  readonly identity: string;
  /** The current certificate; undefined until the first one arrives. */
  readonly current: unknown;
  /** Resolves once there is a certificate. */
  ready(): Promise<unknown>;
  /** Key, chain and trust anchors for a new handshake, either role; follows rotation. */
  secureContext(): SecureContext;
}

/** The DNS names of a certificate's subjectAltName. */
export function dnsNames(cert: PeerCertificate | undefined): string[] {
  const san = cert?.subjectaltname;
  if (!san) return [];
  return san
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
}

/** A mesh certificate names exactly one identity; the server must be the one we asked for. */
export function checkPeerIdentity(cert: PeerCertificate, expected: string): Error | undefined {
  const names = dnsNames(cert);
  if (names.length === 1 && names[0] === expected) return undefined;
  return new ProxyError(
    'WEFT_PROXY_PEER_IDENTITY',
    `peer is ${names.join(', ') || 'no identity'}, expected ${expected}`,
  );
}

/** The verified identity of the client on a server-side TLS socket. */
export function peerIdentity(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  const names = dnsNames(socket.getPeerCertificate());
  return names.length === 1 ? names[0] : undefined;
}
