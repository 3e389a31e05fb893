import type { RetryBudget as BudgetSpec } from '../profile/profile.ts';

// Linkerd's retry budget: retries may add `ratio` of the requests seen over
// the last `ttl`, plus `minPerSecond` a second whatever the load. Counts are
// kept in ten time slots over the window, so a request costs two increments
// and never an allocation.

const SLOTS = 10;

export class RetryBudget {
  readonly spec: BudgetSpec;
  readonly #slotMs: number;
  readonly #deposits = new Float64Array(SLOTS);
  readonly #withdrawals = new Float64Array(SLOTS);
  #slot = 0;
  #slotStart: number;

  constructor(spec: BudgetSpec, now = Date.now()) {
    this.spec = spec;
    this.#slotMs = Math.max(1, spec.ttlMs / SLOTS);
    this.#slotStart = now;
  }

  #advance(now: number): void {
    const elapsed = Math.floor((now - this.#slotStart) / this.#slotMs);
    if (elapsed <= 0) return;
    const n = Math.min(elapsed, SLOTS);
    for (let i = 0; i < n; i++) {
      this.#slot = (this.#slot + 1) % SLOTS;
      this.#deposits[this.#slot] = 0;
      this.#withdrawals[this.#slot] = 0;
    }
    this.#slotStart += elapsed * this.#slotMs;
  }

  /** A request (not a retry) was sent. */
  deposit(now = Date.now()): void {
    this.#advance(now);
    this.#deposits[this.#slot] = (this.#deposits[this.#slot] as number) + 1;
  }

  /** Takes one retry from the budget; false when it is spent. */
  withdraw(now = Date.now()): boolean {
    this.#advance(now);
    let deposits = 0;
    let withdrawals = 0;
    for (let i = 0; i < SLOTS; i++) {
      deposits += this.#deposits[i] as number;
      withdrawals += this.#withdrawals[i] as number;
    }
    const allowed = this.spec.minPerSecond * (this.spec.ttlMs / 1000) + this.spec.ratio * deposits;
    if (withdrawals + 1 > allowed) return false;
    this.#withdrawals[this.#slot] = (this.#withdrawals[this.#slot] as number) + 1;
    return true;
  }
}
