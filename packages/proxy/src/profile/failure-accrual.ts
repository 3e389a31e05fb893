import type { BreakerSettings } from '../breaker/settings.ts';
import { durationMs, type Reader } from '../resolve/proto.ts';

// weft.destination.FailureAccrual (DestinationProfile field 6), decoded by
// hand like the rest of the profile. The control plane validates the
// Service's annotations before it sends them; what it never sends is made
// harmless here rather than refused, so a profile is never lost over it.

/** Linkerd's defaults, for a backoff the message leaves out. */
const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60_000;

type Backoff = Omit<BreakerSettings, 'consecutive'>;

const DEFAULT_BACKOFF: Backoff = { minBackoffMs: MIN_BACKOFF_MS, maxBackoffMs: MAX_BACKOFF_MS, jitterRatio: 0 };

/** ExponentialBackoff: min_backoff = 1, max_backoff = 2 (Durations), jitter_ratio = 3 (float). */
function backoff(r: Reader): Backoff {
  let min = 0;
  let max = 0;
  let jitter = 0;
  r.fields((n, w) => {
    if (n === 1 && w === 2) min = durationMs(r.sub());
    else if (n === 2 && w === 2) max = durationMs(r.sub());
    else if (n === 3 && w === 5) jitter = r.float32();
    else return false;
    return true;
  });
  const minBackoffMs = min > 0 ? min : MIN_BACKOFF_MS;
  return {
    minBackoffMs,
    maxBackoffMs: Math.max(minBackoffMs, max > 0 ? max : MAX_BACKOFF_MS),
    jitterRatio: Number.isFinite(jitter) && jitter > 0 ? Math.min(jitter, 100) : 0,
  };
}

/** ConsecutiveFailures: max_failures = 1, backoff = 2. max_failures 0 never ejects. */
function consecutiveFailures(r: Reader): BreakerSettings {
  let consecutive = 0;
  let settings: Backoff | undefined;
  r.fields((n, w) => {
    if (n === 1 && w === 0) consecutive = r.varint();
    else if (n === 2 && w === 2) settings = backoff(r.sub());
    else return false;
    return true;
  });
  return { consecutive, ...(settings ?? DEFAULT_BACKOFF) };
}

/** FailureAccrual: oneof kind { consecutive_failures = 1 }. Undefined for a kind this proxy does not know. */
export function decodeFailureAccrual(r: Reader): BreakerSettings | undefined {
  let settings: BreakerSettings | undefined;
  r.fields((n, w) => {
    if (n !== 1 || w !== 2) return false;
    settings = consecutiveFailures(r.sub());
    return true;
  });
  return settings;
}
