import type { X509Certificate } from 'node:crypto';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { ERROR_CODES, identityError } from '../errors.ts';

/** The DNS names of a certificate's subjectAltName, as node reports them ("DNS:a, DNS:b"). */
export function dnsNames(certificate: PeerCertificate | X509Certificate): string[] {
  const san: string | undefined =
    'subjectaltname' in certificate ? certificate.subjectaltname : (certificate as X509Certificate).subjectAltName;
  if (!san) return [];
  return san
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
}

/**
 * Checks that a peer certificate names exactly the expected identity: one DNS
 * SAN, equal to it. Returns an error rather than throwing, so it can be used
 * as node:tls `checkServerIdentity`.
 */
export function checkPeerIdentity(
  certificate: PeerCertificate | X509Certificate | undefined,
  expected: string,
): Error | undefined {
  const names = certificate ? dnsNames(certificate) : [];
  if (names.length === 1 && names[0] === expected) return undefined;
  return identityError(
    ERROR_CODES.PEER_IDENTITY_MISMATCH,
    `peer certificate names ${names.length ? names.join(', ') : 'no identity'}, expected ${expected}`,
    { expected, names },
  );
}

/** The identity of an authenticated TLS peer (the client on a server socket), if it presented one. */
export function peerIdentity(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  const names = dnsNames(socket.getPeerCertificate());
  return names.length === 1 ? names[0] : undefined;
}
