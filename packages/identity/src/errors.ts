// The package's one error catalogue. Codes are stable: logs, tests and other
// packages match on `code`, never on the message.

export const ERROR_CODES = {
  /** DER input that does not parse (truncated, bad length, wrong tag). */
  MALFORMED_DER: 'WEFT_IDENTITY_MALFORMED_DER',
  /** PEM input with no block of the expected kind. */
  MALFORMED_PEM: 'WEFT_IDENTITY_MALFORMED_PEM',
  /** A CSR that parses but breaks the mesh's rules (SANs, key, signature). */
  INVALID_CSR: 'WEFT_IDENTITY_INVALID_CSR',
  /** An identity name that is not a well-formed DNS name of this trust domain. */
  INVALID_IDENTITY: 'WEFT_IDENTITY_INVALID_IDENTITY',
  /** A request that is missing fields or exceeds a size limit. */
  INVALID_REQUEST: 'WEFT_IDENTITY_INVALID_REQUEST',
  /** No token, or one that is malformed, expired, forged or rejected by its authority. */
  UNAUTHENTICATED: 'WEFT_IDENTITY_UNAUTHENTICATED',
  /** A valid token that proves a different identity from the one asked for. */
  IDENTITY_MISMATCH: 'WEFT_IDENTITY_IDENTITY_MISMATCH',
  /** The token authority (the Kubernetes API server) could not be asked. */
  TOKEN_REVIEW_FAILED: 'WEFT_IDENTITY_TOKEN_REVIEW_FAILED',
  /** No issuer is loaded, so nothing can be signed. */
  NO_ISSUER: 'WEFT_IDENTITY_NO_ISSUER',
  /** Issuer material that is unusable: not a CA, not chaining to the anchors, wrong key. */
  INVALID_ISSUER: 'WEFT_IDENTITY_INVALID_ISSUER',
  /** Trust anchors that are missing or not CA certificates. */
  INVALID_TRUST_ANCHORS: 'WEFT_IDENTITY_INVALID_TRUST_ANCHORS',
  /** A peer certificate that does not carry the expected identity name. */
  PEER_IDENTITY_MISMATCH: 'WEFT_IDENTITY_PEER_IDENTITY_MISMATCH',
  /** The client has no certificate yet. */
  NOT_READY: 'WEFT_IDENTITY_NOT_READY',
  /** A Certify response that is unusable (wrong key, wrong name, bad chain). */
  INVALID_RESPONSE: 'WEFT_IDENTITY_INVALID_RESPONSE',
  /** A configuration value (environment variable or option) that does not parse. */
  INVALID_CONFIG: 'WEFT_IDENTITY_INVALID_CONFIG',
} as const;

export type IdentityErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Every failure this package raises on purpose. `context` carries the facts a log line needs. */
export class IdentityError extends Error {
  readonly code: IdentityErrorCode;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: IdentityErrorCode, message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'IdentityError';
    this.code = code;
    this.context = context;
  }
}

export function identityError(
  code: IdentityErrorCode,
  message: string,
  context?: Record<string, unknown>,
  cause?: unknown,
): IdentityError {
  return new IdentityError(code, message, context, cause);
}

export function isIdentityError(err: unknown, code?: IdentityErrorCode): err is IdentityError {
  return err instanceof IdentityError && (code === undefined || err.code === code);
}
