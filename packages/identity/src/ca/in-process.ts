import { type WorkloadCertificate, workloadCertificate } from '../tls/workload-certificate.ts';
import { type CaCertificate, type CaOptions, createIssuer, createTrustAnchor } from './authority.ts';
import { Issuer } from './issuer.ts';
import { generateP256KeyPair, privateKeyPem, spkiDer } from './keys.ts';
import type { IdentityDomain } from './names.ts';
import { toPem } from './pem.ts';

// Certificates without the Certify round trip, for tests of other packages
// and for tools: the same issuer code the identity service runs.

/** A complete mesh CA: anchor, issuer certificate, and the loaded issuer. */
export interface MeshCa {
  readonly trustAnchor: CaCertificate;
  readonly issuerCertificate: CaCertificate;
  readonly issuer: Issuer;
  readonly trustAnchorsPem: string;
}

export function createMeshCa(
  options: { domain?: IdentityDomain; issuer?: CaOptions; trustAnchor?: CaOptions } = {},
): MeshCa {
  const trustAnchor = createTrustAnchor({ domain: options.domain, ...options.trustAnchor });
  const issuerCertificate = createIssuer(trustAnchor, { domain: options.domain, ...options.issuer });
  const issuer = Issuer.fromPem({
    certPem: issuerCertificate.certPem,
    keyPem: issuerCertificate.keyPem,
    trustAnchorsPem: trustAnchor.certPem,
  });
  return { trustAnchor, issuerCertificate, issuer, trustAnchorsPem: trustAnchor.certPem };
}

export interface InProcessLeafOptions {
  readonly lifetimeMs?: number;
  readonly clockSkewMs?: number;
  readonly now?: number;
}

/** Makes a key and a leaf for `identity` in this process. */
export function issueWorkloadCertificate(
  issuer: Issuer,
  identity: string,
  options: InProcessLeafOptions = {},
): WorkloadCertificate {
  const { privateKey } = generateP256KeyPair();
  const issued = issuer.issue({ identity, subjectPublicKeyInfo: spkiDer(privateKey), ...options });
  return workloadCertificate({
    identity,
    keyPem: privateKeyPem(privateKey),
    leafDer: issued.leafDer,
    intermediatesDer: issued.intermediatesDer,
    trustAnchorsPem: issuer.trustAnchors.map((anchor) => toPem(anchor.raw, 'CERTIFICATE')).join(''),
  });
}
