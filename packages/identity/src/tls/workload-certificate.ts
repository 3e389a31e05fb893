import { X509Certificate } from 'node:crypto';
import { toPem } from '../ca/pem.ts';

/**
 * Everything a TLS endpoint needs to speak as one workload, in the forms
 * node:tls takes. The key was made in this process and never left it.
 */
export interface WorkloadCertificate {
  /** The identity name: the leaf's only DNS SAN. */
  readonly identity: string;
  /** PKCS#8 PEM private key. */
  readonly keyPem: string;
  /** Leaf first, then the intermediates (issuer first); node:tls `cert`. */
  readonly certChainPem: string;
  /** The mesh's trust anchors; node:tls `ca`. */
  readonly trustAnchorsPem: string;
  readonly leaf: X509Certificate;
  readonly notBefore: Date;
  readonly expiresAt: Date;
}

export interface WorkloadCertificateParts {
  readonly identity: string;
  readonly keyPem: string;
  readonly leafDer: Buffer;
  readonly intermediatesDer: readonly Buffer[];
  readonly trustAnchorsPem: string;
}

export function workloadCertificate(parts: WorkloadCertificateParts): WorkloadCertificate {
  const leaf = new X509Certificate(parts.leafDer);
  return {
    identity: parts.identity,
    keyPem: parts.keyPem,
    certChainPem: [parts.leafDer, ...parts.intermediatesDer].map((der) => toPem(der, 'CERTIFICATE')).join(''),
    trustAnchorsPem: parts.trustAnchorsPem,
    leaf,
    notBefore: leaf.validFromDate,
    expiresAt: leaf.validToDate,
  };
}
