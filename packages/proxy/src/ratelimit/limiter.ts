// Local rate limiting (the policy's HttpLocalRateLimit): a budget of requests
// per second for the whole port, and one per client identity (overrides name
// identities with a budget of their own). Fixed one-second windows: two
// counters and no timers.

export class RateLimiter {
  readonly totalRps: number;
  readonly identityRps: number;
  #window = 0;
  #total = 0;
  readonly #byIdentity = new Map<string, number>();
  readonly #overrides = new Map<string, number>();

  constructor(
    totalRps: number,
    identityRps: number,
    overrides: readonly { readonly rps: number; readonly identities: readonly string[] }[] = [],
  ) {
    this.totalRps = totalRps;
    this.identityRps = identityRps;
    for (const o of overrides) for (const id of o.identities) this.#overrides.set(id, o.rps);
  }

  /** Counts a request; false when it is over a limit and must be refused (429). */
  admit(identity: string | undefined, now = Date.now()): boolean {
    const window = Math.floor(now / 1000);
    if (window !== this.#window) {
      this.#window = window;
      this.#total = 0;
      this.#byIdentity.clear();
    }
    if (this.totalRps > 0 && this.#total >= this.totalRps) return false;
    const limit = (identity !== undefined && this.#overrides.get(identity)) || this.identityRps;
    if (limit > 0) {
      const key = identity ?? '';
      const n = this.#byIdentity.get(key) ?? 0;
      if (n >= limit) return false;
      this.#byIdentity.set(key, n + 1);
    }
    this.#total++;
    return true;
  }
}
