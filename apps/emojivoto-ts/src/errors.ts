// The one error catalogue of emojivoto-ts. Codes are stable so scripts and
// tests can match on them rather than on message text.

export type EmojivotoErrorCode =
  /** A required environment variable is unset or empty. */
  | 'EMOJIVOTO_CONFIG_MISSING'
  /** An environment variable is set but cannot be parsed. */
  | 'EMOJIVOTO_CONFIG_INVALID'
  /** The Voting.proto RPCs and the emoji catalogue disagree. */
  | 'EMOJIVOTO_PROTO_MISMATCH'
  /** INDEX_BUNDLE names a file that cannot be read. */
  | 'EMOJIVOTO_BUNDLE_UNREADABLE';

export class EmojivotoError extends Error {
  readonly code: EmojivotoErrorCode;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: EmojivotoErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(message);
    this.name = 'EmojivotoError';
    this.code = code;
    this.context = context;
  }
}

export function configMissing(name: string): EmojivotoError {
  return new EmojivotoError('EMOJIVOTO_CONFIG_MISSING', `environment variable ${name} is required`, { name });
}

export function configInvalid(name: string, value: string, expected: string): EmojivotoError {
  return new EmojivotoError(
    'EMOJIVOTO_CONFIG_INVALID',
    `environment variable ${name}=${JSON.stringify(value)} is not ${expected}`,
    { name, value },
  );
}
