import { status } from '@grpc/grpc-js';
import { ERROR_CODES, type IdentityErrorCode } from '../errors.ts';

// How refusals map to gRPC status codes. One rule per kind, documented in
// docs/identity.md: the request is wrong → INVALID_ARGUMENT; the caller did
// not prove who it is → UNAUTHENTICATED; it proved someone else →
// PERMISSION_DENIED; the service cannot sign right now → UNAVAILABLE.
const STATUS_BY_CODE: Partial<Record<IdentityErrorCode, status>> = {
  [ERROR_CODES.INVALID_REQUEST]: status.INVALID_ARGUMENT,
  [ERROR_CODES.INVALID_IDENTITY]: status.INVALID_ARGUMENT,
  [ERROR_CODES.INVALID_CSR]: status.INVALID_ARGUMENT,
  [ERROR_CODES.MALFORMED_DER]: status.INVALID_ARGUMENT,
  [ERROR_CODES.UNAUTHENTICATED]: status.UNAUTHENTICATED,
  [ERROR_CODES.IDENTITY_MISMATCH]: status.PERMISSION_DENIED,
  [ERROR_CODES.NO_ISSUER]: status.UNAVAILABLE,
  [ERROR_CODES.TOKEN_REVIEW_FAILED]: status.UNAVAILABLE,
};

export function statusForCode(code: IdentityErrorCode | undefined): status {
  return (code && STATUS_BY_CODE[code]) ?? status.INTERNAL;
}

/** `invalid_argument`, the label value used for a status in metrics and logs. */
export const statusLabel = (code: status): string => (status[code] ?? 'unknown').toLowerCase();
