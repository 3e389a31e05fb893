import type { CertifyRequest__Output } from '@weft/api/gen/weft/identity/CertifyRequest.ts';
import type { CertifyResponse } from '@weft/api/gen/weft/identity/CertifyResponse.ts';
import { checkCsrForIdentity, parseCsr } from '../ca/csr.ts';
import type { IssuedLeaf } from '../ca/issuer.ts';
import type { IssuerProvider } from '../ca/issuer-source.ts';
import { type IdentityDomain, parseIdentityName } from '../ca/names.ts';
import { ERROR_CODES, identityError } from '../errors.ts';
import type { TokenValidator } from '../tokens/token-validator.ts';

// One Certify request, from bytes on the wire to a signed leaf. Checks run
// cheapest first, and the token (a network call to the API server on
// Kubernetes) only after the request is known to be well-formed.

export const MAX_IDENTITY_LENGTH = 253;

export interface CertifyPolicy {
  readonly issuers: IssuerProvider;
  readonly tokens: TokenValidator;
  readonly domain: IdentityDomain;
  readonly lifetimeMs: number;
  readonly clockSkewMs: number;
  readonly now: () => number;
}

export interface Certified {
  readonly response: CertifyResponse;
  readonly leaf: IssuedLeaf;
}

export async function certify(request: CertifyRequest__Output, policy: CertifyPolicy): Promise<Certified> {
  const issuer = policy.issuers.current;
  if (!issuer) throw identityError(ERROR_CODES.NO_ISSUER, 'no issuer is loaded');

  const identity = request.identity;
  if (!identity) throw identityError(ERROR_CODES.INVALID_REQUEST, 'identity is missing');
  if (identity.length > MAX_IDENTITY_LENGTH) {
    throw identityError(ERROR_CODES.INVALID_REQUEST, `identity is longer than ${MAX_IDENTITY_LENGTH} characters`);
  }
  if (!parseIdentityName(identity, policy.domain)) {
    throw identityError(ERROR_CODES.INVALID_IDENTITY, `${identity} is not an identity name of this mesh`, { identity });
  }
  const csr = parseCsr(request.certificateSigningRequest);
  checkCsrForIdentity(csr, identity);

  const proven = await policy.tokens.validate(request.token);
  if (proven !== identity) {
    throw identityError(ERROR_CODES.IDENTITY_MISMATCH, `token proves ${proven}, not ${identity}`, { identity, proven });
  }

  const leaf = issuer.issue({
    identity,
    subjectPublicKeyInfo: csr.subjectPublicKeyInfo,
    lifetimeMs: policy.lifetimeMs,
    clockSkewMs: policy.clockSkewMs,
    now: policy.now(),
  });
  const seconds = Math.floor(leaf.notAfter.getTime() / 1000);
  return {
    leaf,
    response: {
      leafCertificate: leaf.leafDer,
      intermediateCertificates: [...leaf.intermediatesDer],
      validUntil: { seconds: String(seconds), nanos: 0 },
    },
  };
}
