// How the identity service learns who is asking. A validator turns the
// token of a Certify request into the identity name it proves, or refuses.

export const TOKEN_AUDIENCE = 'identity.weft.dev';
export const MAX_TOKEN_BYTES = 16 * 1024;

export interface TokenValidator {
  /** The mode name shown in logs (`k8s`, `local`). */
  readonly kind: string;
  /**
   * Resolves with the identity name the token proves. Rejects with
   * WEFT_IDENTITY_UNAUTHENTICATED for a token that proves nothing, or
   * WEFT_IDENTITY_TOKEN_REVIEW_FAILED when the authority could not be asked.
   */
  validate(token: Buffer): Promise<string>;
}
