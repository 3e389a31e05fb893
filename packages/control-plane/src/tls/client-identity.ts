import type { ServerUnaryCall } from '@grpc/grpc-js';
import { dnsNames } from '@weft/identity';

/** Who is calling: the verified mesh identity, or (plaintext) the connection it came on. */
export interface Caller {
  readonly identity: string | undefined;
  /** What per-client limits count by: the identity, else the peer address. */
  readonly key: string;
}

export function callerOf(call: Pick<ServerUnaryCall<unknown, unknown>, 'getAuthContext' | 'getPeer'>): Caller {
  // grpc-js reports a certificate only for a TLS peer that passed verification.
  const certificate = call.getAuthContext().sslPeerCertificate;
  const names = certificate ? dnsNames(certificate) : [];
  const identity = names.length === 1 ? names[0] : undefined;
  return { identity, key: identity ?? `connection ${call.getPeer()}` };
}
