// When the client asks for its next certificate. Linkerd's proxy renews at
// 70 % of the remaining lifetime, clamped to [min, max] refresh, and retries
// after failures; we back off exponentially up to the minimum refresh.

export interface RefreshPolicy {
  /** Shortest wait before renewing a certificate, and the cap of the failure back-off. */
  readonly minRefreshMs: number;
  /** Longest wait before renewing, however long the certificate lives. */
  readonly maxRefreshMs: number;
  /** First retry delay after a failed Certify; doubles up to minRefreshMs. */
  readonly initialBackoffMs: number;
  /** Fraction of each back-off randomised, so proxies restarted together do not retry in step. */
  readonly jitter: number;
}

export const DEFAULT_REFRESH_POLICY: RefreshPolicy = {
  minRefreshMs: 10_000,
  maxRefreshMs: 24 * 60 * 60 * 1000,
  initialBackoffMs: 500,
  jitter: 0.2,
};

export const RENEW_AT_FRACTION = 0.7;

/** Delay until renewal of a certificate that expires at `expiresAt`. */
export function renewalDelay(expiresAt: number, now: number, policy: RefreshPolicy): number {
  const remaining = Math.max(0, expiresAt - now);
  return Math.min(policy.maxRefreshMs, Math.max(policy.minRefreshMs, Math.round(remaining * RENEW_AT_FRACTION)));
}

/** Delay before retry number `attempt` (1-based) after consecutive failures. */
export function retryDelay(attempt: number, policy: RefreshPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.minRefreshMs, policy.initialBackoffMs * 2 ** Math.min(attempt - 1, 30));
  const spread = base * policy.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}
