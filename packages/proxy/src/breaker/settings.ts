import { ProxyError } from '../errors.ts';
import { type EnvReader, parseDuration } from '../settings/parse.ts';

// Failure accrual (Linkerd's consecutive-failures breaker), per endpoint. A
// Service's annotations set it per service through its profile; these
// WEFT_PROXY_FAILURE_ACCRUAL_* variables are the default for services whose
// profile sets none, and leave it off unless _CONSECUTIVE is set.

export interface BreakerSettings {
  /** Consecutive failures that eject an endpoint; 0: never. */
  readonly consecutive: number;
  /** The first ejection's length; it doubles with each failed probe, up to `maxBackoffMs`. */
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Each ejection is lengthened by up to this share of itself, at random (never beyond the maximum). */
  readonly jitterRatio: number;
}

export const BREAKER_OFF: BreakerSettings = {
  consecutive: 0,
  minBackoffMs: 1000,
  maxBackoffMs: 60_000,
  jitterRatio: 0,
};

export const sameBreakerSettings = (a: BreakerSettings, b: BreakerSettings): boolean =>
  a.consecutive === b.consecutive &&
  a.minBackoffMs === b.minBackoffMs &&
  a.maxBackoffMs === b.maxBackoffMs &&
  a.jitterRatio === b.jitterRatio;

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
  const minBackoffMs = dur('WEFT_PROXY_FAILURE_ACCRUAL_MIN_BACKOFF', '1s');
  const maxBackoffMs = dur('WEFT_PROXY_FAILURE_ACCRUAL_MAX_BACKOFF', '60s');
  if (maxBackoffMs < minBackoffMs) {
    throw new ProxyError(
      'WEFT_PROXY_CONFIG',
      'WEFT_PROXY_FAILURE_ACCRUAL_MAX_BACKOFF: expected at least WEFT_PROXY_FAILURE_ACCRUAL_MIN_BACKOFF',
    );
  }
  const jitterText = (env('WEFT_PROXY_FAILURE_ACCRUAL_JITTER_RATIO') ?? '0').trim();
  const jitterRatio = Number(jitterText);
  if (!/^\d+(\.\d+)?$/.test(jitterText) || jitterRatio > 100) {
    throw new ProxyError(
      'WEFT_PROXY_CONFIG',
      'WEFT_PROXY_FAILURE_ACCRUAL_JITTER_RATIO: expected a number from 0 to 100',
    );
  }
  return { consecutive, minBackoffMs, maxBackoffMs, jitterRatio };
}
