// The package's one error catalogue. Codes are stable: logs, tests and other
// packages match on `code`, never on the message.

export const ERROR_CODES = {
  /** The addon is not built for this machine (not Linux, no compiler, build failed). */
  UNAVAILABLE: 'WEFT_ORIGINAL_DST_UNAVAILABLE',
  /** The descriptor is not an open TCP/IP socket (closed, a file, a Unix socket). */
  BAD_SOCKET: 'WEFT_ORIGINAL_DST_BAD_SOCKET',
  /** The kernel could not answer for this socket (e.g. no netfilter connection tracking). */
  LOOKUP_FAILED: 'WEFT_ORIGINAL_DST_LOOKUP_FAILED',
} as const;

export type OriginalDstErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class OriginalDstError extends Error {
  readonly code: OriginalDstErrorCode;
  /** The errno name the kernel gave (EBADF, ENOTSOCK, ENOPROTOOPT …), when it gave one. */
  readonly errno: string | undefined;

  constructor(code: OriginalDstErrorCode, message: string, errno?: string) {
    super(`${code}: ${message}`);
    this.name = 'OriginalDstError';
    this.code = code;
    this.errno = errno;
  }
}
