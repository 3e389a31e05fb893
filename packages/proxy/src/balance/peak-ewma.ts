// Peak-EWMA load, as Finagle, tower and linkerd2-proxy define it: a latency
// estimate that jumps to any new peak and otherwise decays exponentially,
// multiplied by the requests in flight. τ = 10 s, seed 30 ms (Linkerd's).

export const DEFAULT_RTT_MS = 30;
export const DECAY_MS = 10_000;

export class PeakEwma {
  #rttMs: number;
  #stamp: number;
  readonly #decayMs: number;
  /** Requests sent to this endpoint whose response has not begun. */
  pending = 0;

  constructor(now: number, defaultRttMs = DEFAULT_RTT_MS, decayMs = DECAY_MS) {
    this.#rttMs = defaultRttMs;
    this.#stamp = now;
    this.#decayMs = decayMs;
  }

  /** The estimate decayed to `now` (as if zero-latency samples had arrived), times (pending + 1). */
  load(now: number): number {
    const elapsed = now - this.#stamp;
    const rtt = elapsed > 0 ? this.#rttMs * Math.exp(-elapsed / this.#decayMs) : this.#rttMs;
    return rtt * (this.pending + 1);
  }

  observe(sampleMs: number, now: number): void {
    if (sampleMs > this.#rttMs) {
      this.#rttMs = sampleMs;
    } else {
      const elapsed = Math.max(0, now - this.#stamp);
      const w = Math.exp(-elapsed / this.#decayMs);
      this.#rttMs = this.#rttMs * w + sampleMs * (1 - w);
    }
    this.#stamp = now;
  }

  get rttMs(): number {
    return this.#rttMs;
  }
}
