import { type KeyObject, X509Certificate } from 'node:crypto';
import { ERROR_CODES, identityError } from '../errors.ts';
import {
  authorityKeyIdentifier,
  basicConstraints,
  certificateParts,
  commonNameOnly,
  extKeyUsageServerClient,
  issuerKeyId,
  keyUsageLeaf,
  randomSerial,
  signCertificate,
  subjectAltNameDns,
} from './certificate.ts';
import { parseP256PrivateKey } from './keys.ts';
import { certificatesFromPem } from './pem.ts';
import { parseTrustAnchors, verifyChain } from './trust.ts';

// The issuer: an intermediate CA that signs workload leaves. Loading checks
// everything that would otherwise surface later as handshakes failing across
// the mesh: the key matches, the certificate is a CA, and it chains to the
// trust anchors the proxies hold.

export const DEFAULT_LEAF_LIFETIME_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_CLOCK_SKEW_MS = 20_000;

/** Issuer material as PEM text: the issuer certificate first, then any further intermediates. */
export interface IssuerPem {
  readonly certPem: string;
  readonly keyPem: string;
  readonly trustAnchorsPem: string;
}

export interface LeafRequest {
  readonly identity: string;
  /** DER SubjectPublicKeyInfo of the workload's key, taken from its verified CSR. */
  readonly subjectPublicKeyInfo: Buffer;
  readonly lifetimeMs?: number;
  readonly clockSkewMs?: number;
  readonly now?: number;
}

export interface IssuedLeaf {
  readonly leafDer: Buffer;
  /** Issuer first, trust anchor excluded: what a TLS peer needs to build the chain. */
  readonly intermediatesDer: readonly Buffer[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export class Issuer {
  readonly certificate: X509Certificate;
  readonly intermediatesDer: readonly Buffer[];
  readonly trustAnchors: readonly X509Certificate[];
  /** The earliest expiry along the chain; no leaf may outlive it. */
  readonly notAfter: Date;
  readonly #key: KeyObject;
  readonly #subjectName: Buffer;
  readonly #keyId: Buffer;

  private constructor(chain: X509Certificate[], key: KeyObject, anchors: X509Certificate[], notAfter: Date) {
    const [issuer] = chain as [X509Certificate];
    const parts = certificateParts(issuer.raw);
    this.certificate = issuer;
    this.intermediatesDer = chain.map((c) => c.raw);
    this.trustAnchors = anchors;
    this.notAfter = notAfter;
    this.#key = key;
    this.#subjectName = parts.subjectName;
    this.#keyId = issuerKeyId(parts);
  }

  /** Parses and validates issuer material; throws WEFT_IDENTITY_INVALID_ISSUER with the reason. */
  static fromPem(pem: IssuerPem, now: number = Date.now()): Issuer {
    const anchors = parseTrustAnchors(pem.trustAnchorsPem);
    const key = parseP256PrivateKey(pem.keyPem, 'issuer key');
    const chain = certificatesFromPem(pem.certPem, 'issuer certificate').map((der) => new X509Certificate(der));
    // A bundle may end with the root itself (cert-manager writes it so); anchors never travel in the chain.
    const anchorFingerprints = new Set(anchors.map((a) => a.fingerprint256));
    const intermediates = chain.filter((c, i) => i === 0 || !anchorFingerprints.has(c.fingerprint256));
    const [issuer] = intermediates as [X509Certificate];
    const invalid = (reason: string) =>
      identityError(ERROR_CODES.INVALID_ISSUER, `issuer certificate ${issuer.subject.trim()}: ${reason}`, { reason });
    if (!issuer.ca) throw invalid('is not a CA (basicConstraints CA:TRUE missing)');
    if (!issuer.checkPrivateKey(key)) throw invalid('does not match the issuer key');
    const notAfter = verifyChain(intermediates, anchors, now, invalid);
    return new Issuer(intermediates, key, anchors, notAfter);
  }

  /** Signs a leaf for an identity whose CSR was already verified. */
  issue(request: LeafRequest): IssuedLeaf {
    const now = request.now ?? Date.now();
    const lifetime = request.lifetimeMs ?? DEFAULT_LEAF_LIFETIME_MS;
    // Back-dated so that peers whose clocks run a little behind accept it at once.
    const notBefore = new Date(now - (request.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS));
    const wanted = now + lifetime;
    const notAfter = new Date(Math.min(wanted, this.notAfter.getTime()));
    if (notAfter.getTime() <= now) {
      throw identityError(ERROR_CODES.NO_ISSUER, 'issuer certificate has expired', { notAfter: this.notAfter });
    }
    const leafDer = signCertificate(
      {
        serial: randomSerial(),
        issuerName: this.#subjectName,
        subjectName: commonNameOnly(request.identity),
        notBefore,
        notAfter,
        subjectPublicKeyInfo: request.subjectPublicKeyInfo,
        extensions: [
          basicConstraints(false),
          keyUsageLeaf(),
          extKeyUsageServerClient(),
          subjectAltNameDns(request.identity),
          authorityKeyIdentifier(this.#keyId),
        ],
      },
      this.#key,
    );
    return { leafDer, intermediatesDer: this.intermediatesDer, notBefore, notAfter };
  }
}
