import { type EnvReader, parseDuration } from '../app/env.ts';
import { ProxyError } from '../errors.ts';

// Failure accrual (Linkerd's consecutive-failures breaker), per endpoint:
// off unless WEFT_PROXY_FAILURE_ACCRUAL_CONSECUTIVE is set, as Linkerd
// enables it per service by annotation.

export interface BreakerSettings {
  /** Consecutive failures that eject an endpoint; 0: never. */
  readonly consecutive: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
}

export function readBreakerSettings(env: EnvReader): BreakerSettings {
  const raw = env('WEFT_PROXY_FAILURE_ACCRUAL_CONSECUTIVE') ?? '0';
  const consecutive = Number(raw);
  if (!Number.isInteger(consecutive) || consecutive < 0) {
    throw new ProxyError(
      'WEFT_PROXY_CONFIG',
      'WEFT_PROXY_FAILURE_ACCRUAL_CONSECUTIVE: expected a non-negative integer',
    );
  }
  const dur = (name: string, fallback: string) => parseDuration(name, env(name) ?? fallback);
  return {
    consecutive,
    minBackoffMs: dur('WEFT_PROXY_FAILURE_ACCRUAL_MIN_BACKOFF', '1s'),
    maxBackoffMs: dur('WEFT_PROXY_FAILURE_ACCRUAL_MAX_BACKOFF', '60s'),
  };
}
