// The fuzzer's error catalogue. Codes are stable: CI logs and the people who
// replay a failure match on them.

export const FuzzErrorCode = {
  /** A process under fuzz exited, or stopped answering its liveness check. */
  TargetDown: 'WEFT_FUZZ_TARGET_DOWN',
  /** A process under fuzz grew its resident memory past the stated bound. */
  MemoryGrowth: 'WEFT_FUZZ_MEMORY_GROWTH',
  /** A process under fuzz kept more file descriptors open after the run than the stated bound. */
  DescriptorGrowth: 'WEFT_FUZZ_DESCRIPTOR_GROWTH',
  /** A process under fuzz did not start, or did not print where it listens. */
  StartFailed: 'WEFT_FUZZ_START_FAILED',
  /** A command-line flag or WEFT_FUZZ_* variable the fuzzer cannot use. */
  InvalidOption: 'WEFT_FUZZ_INVALID_OPTION',
} as const;

export type FuzzErrorCode = (typeof FuzzErrorCode)[keyof typeof FuzzErrorCode];

export class FuzzError extends Error {
  readonly code: FuzzErrorCode;

  constructor(code: FuzzErrorCode, message: string, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.name = 'FuzzError';
    this.code = code;
  }
}
