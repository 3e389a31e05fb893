import { X509Certificate } from 'node:crypto';
import { ERROR_CODES, identityError } from '../errors.ts';
import { certificatesFromPem } from './pem.ts';

/** Parses a PEM bundle of trust anchors; each must be a CA certificate. */
export function parseTrustAnchors(pem: string): X509Certificate[] {
  let anchors: X509Certificate[];
  try {
    anchors = certificatesFromPem(pem, 'trust anchors').map((der) => new X509Certificate(der));
  } catch (err) {
    throw identityError(ERROR_CODES.INVALID_TRUST_ANCHORS, 'trust anchors: not a PEM certificate bundle', {}, err);
  }
  for (const anchor of anchors) {
    if (!anchor.ca) {
      throw identityError(ERROR_CODES.INVALID_TRUST_ANCHORS, `trust anchor ${anchor.subject.trim()} is not a CA`);
    }
  }
  return anchors;
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  return parent.ca && child.checkIssued(parent) && child.verify(parent.publicKey);
}

/**
 * Walks `chain` (leaf-most first) up to one of `anchors`, checking each
 * signature and validity period. Returns the earliest expiry on the path, or
 * throws the error `invalid` builds with the reason.
 */
export function verifyChain(
  chain: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  now: number,
  invalid: (reason: string) => Error,
): Date {
  let current = chain[0];
  if (!current) throw invalid('no certificate');
  let notAfter = current.validToDate;
  const path = new Set<X509Certificate>([current]);
  for (;;) {
    if (current.validToDate.getTime() <= now) throw invalid(`${current.subject.trim()} expired at ${current.validTo}`);
    if (current.validFromDate.getTime() > now)
      throw invalid(`${current.subject.trim()} is not valid before ${current.validFrom}`);
    if (current.validToDate.getTime() < notAfter.getTime()) notAfter = current.validToDate;
    const cur: X509Certificate = current;
    const anchor = anchors.find((a) => issuedBy(cur, a));
    if (anchor) return new Date(Math.min(anchor.validToDate.getTime(), notAfter.getTime()));
    const next = chain.find((c) => !path.has(c) && issuedBy(cur, c));
    if (!next) throw invalid('does not chain to the trust anchors');
    path.add(next);
    current = next;
  }
}
