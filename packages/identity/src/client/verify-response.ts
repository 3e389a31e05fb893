import { X509Certificate } from 'node:crypto';
import type { CertifyResponse__Output } from '@weft/api/gen/weft/identity/CertifyResponse.ts';
import { verifyChain } from '../ca/trust.ts';
import { ERROR_CODES, identityError } from '../errors.ts';
import { checkPeerIdentity } from '../tls/peer-identity.ts';
import { type WorkloadCertificate, workloadCertificate } from '../tls/workload-certificate.ts';

/** What the client knows before asking, and checks the answer against. */
export interface ExpectedCertificate {
  readonly identity: string;
  readonly keyPem: string;
  readonly subjectPublicKeyInfo: Buffer;
  readonly trustAnchors: readonly X509Certificate[];
  readonly trustAnchorsPem: string;
  readonly now: number;
}

/**
 * Turns a Certify response into a usable certificate, refusing one that would
 * only fail later in a handshake: another key, another name, or a chain that
 * does not reach our anchors.
 */
export function certificateFromResponse(
  response: CertifyResponse__Output,
  expected: ExpectedCertificate,
): WorkloadCertificate {
  const invalid = (reason: string) =>
    identityError(ERROR_CODES.INVALID_RESPONSE, `Certify response for ${expected.identity}: ${reason}`, {
      identity: expected.identity,
    });
  let leaf: X509Certificate;
  let intermediates: X509Certificate[];
  try {
    leaf = new X509Certificate(response.leafCertificate);
    intermediates = response.intermediateCertificates.map((der) => new X509Certificate(der));
  } catch {
    throw invalid('certificates do not parse');
  }
  const leafKey = leaf.publicKey.export({ type: 'spki', format: 'der' });
  if (!leafKey.equals(expected.subjectPublicKeyInfo)) throw invalid('leaf is not for our key');
  const nameError = checkPeerIdentity(leaf, expected.identity);
  if (nameError) throw invalid(nameError.message);
  verifyChain([leaf, ...intermediates], expected.trustAnchors, expected.now, invalid);
  return workloadCertificate({
    identity: expected.identity,
    keyPem: expected.keyPem,
    leafDer: leaf.raw,
    intermediatesDer: intermediates.map((c) => c.raw),
    trustAnchorsPem: expected.trustAnchorsPem,
  });
}
