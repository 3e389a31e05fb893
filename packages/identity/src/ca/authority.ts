import { X509Certificate } from 'node:crypto';
import {
  authorityKeyIdentifier,
  basicConstraints,
  certificateParts,
  commonNameOnly,
  issuerKeyId,
  keyIdentifier,
  keyUsageCa,
  randomSerial,
  signCertificate,
  subjectKeyIdentifier,
} from './certificate.ts';
import { generateP256KeyPair, parseP256PrivateKey, privateKeyPem, spkiDer } from './keys.ts';
import {
  DEFAULT_CONTROL_PLANE_NAMESPACE,
  DEFAULT_TRUST_DOMAIN,
  type IdentityDomain,
  issuerCommonName,
  trustAnchorCommonName,
} from './names.ts';
import { toPem } from './pem.ts';

// Creating the two CA certificates of a mesh: the trust anchor (self-signed
// root, distributed to every proxy) and the issuer (intermediate CA held by the
// identity service). The same files `weft identity create` writes.

/** A CA certificate with its key, both PEM. */
export interface CaCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly cert: X509Certificate;
}

export interface CaOptions {
  readonly commonName?: string;
  /** Default: one year for the issuer, ten for the anchor. */
  readonly lifetimeMs?: number;
  /** Start of validity; a little in the past by default so skewed clocks accept it at once. */
  readonly notBefore?: Date;
  readonly domain?: IdentityDomain;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_DOMAIN: IdentityDomain = {
  trustDomain: DEFAULT_TRUST_DOMAIN,
  controlPlaneNamespace: DEFAULT_CONTROL_PLANE_NAMESPACE,
};

function validity(options: CaOptions, defaultLifetimeMs: number): { notBefore: Date; notAfter: Date } {
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + (options.lifetimeMs ?? defaultLifetimeMs)) };
}

export function createTrustAnchor(options: CaOptions = {}): CaCertificate {
  const { privateKey } = generateP256KeyPair();
  const spki = spkiDer(privateKey);
  const name = commonNameOnly(options.commonName ?? trustAnchorCommonName(options.domain ?? DEFAULT_DOMAIN));
  const keyId = keyIdentifier(spki);
  const der = signCertificate(
    {
      serial: randomSerial(),
      issuerName: name,
      subjectName: name,
      ...validity(options, 3650 * DAY_MS),
      subjectPublicKeyInfo: spki,
      extensions: [basicConstraints(true), keyUsageCa(), subjectKeyIdentifier(keyId)],
    },
    privateKey,
  );
  return { certPem: toPem(der, 'CERTIFICATE'), keyPem: privateKeyPem(privateKey), cert: new X509Certificate(der) };
}

/** An intermediate CA signed by `parent` (normally the trust anchor); it may sign leaves only (pathLen 0). */
export function createIssuer(parent: CaCertificate, options: CaOptions = {}): CaCertificate {
  const parentKey = parseP256PrivateKey(parent.keyPem, 'parent CA key');
  const parentParts = certificateParts(parent.cert.raw);
  const { privateKey } = generateP256KeyPair();
  const spki = spkiDer(privateKey);
  const wanted = validity(options, 365 * DAY_MS);
  // A child CA that outlives its parent would be refused by verifiers anyway.
  const parentEnd = parent.cert.validToDate;
  const der = signCertificate(
    {
      serial: randomSerial(),
      issuerName: parentParts.subjectName,
      subjectName: commonNameOnly(options.commonName ?? issuerCommonName(options.domain ?? DEFAULT_DOMAIN)),
      notBefore: wanted.notBefore,
      notAfter: new Date(Math.min(wanted.notAfter.getTime(), parentEnd.getTime())),
      subjectPublicKeyInfo: spki,
      extensions: [
        basicConstraints(true, 0),
        keyUsageCa(),
        subjectKeyIdentifier(keyIdentifier(spki)),
        authorityKeyIdentifier(issuerKeyId(parentParts)),
      ],
    },
    parentKey,
  );
  return { certPem: toPem(der, 'CERTIFICATE'), keyPem: privateKeyPem(privateKey), cert: new X509Certificate(der) };
}
