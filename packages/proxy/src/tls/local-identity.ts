import type { SecureContext } from 'node:tls';

// What the data path needs of an identity. The identity client of
// @weft/identity satisfies LocalIdentity as it is, and so does a certificate
// read from files (file-identity.ts). The mTLS helpers themselves come from
// `@weft/identity/tls`, which loads none of identity's CA, CSR or gRPC code.

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
