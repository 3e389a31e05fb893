import type { Random } from '../balance/p2c.ts';
import type { BreakerSettings } from './settings.ts';

// One endpoint's failure accrual: after `consecutive` failures in a row the
// endpoint is ejected (the balancer stops picking it) for a backoff that
// doubles with each failed probe, up to the maximum, each lengthened at random
// by up to `jitterRatio` of itself (as Linkerd's exponential backoff), so that
// endpoints ejected together are not probed together. When the backoff ends
// the endpoint takes exactly one request, the probe: success readmits it,
// failure ejects it again. `onChange` tells the owner to rebuild its set of
// ready endpoints.

export type BreakerState = 'closed' | 'open' | 'probing';

/** setTimeout fires at once beyond this; a longer backoff is cut to it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Breaker {
  readonly settings: BreakerSettings;
  readonly #onChange: () => void;
  /** Draws the jitter (Math.random); tests pass their own to pin it. */
  readonly #random: Random;
  state: BreakerState = 'closed';
  #failures = 0;
  /** The backoff before jitter: doubles with each failed probe. */
  #backoffMs: number;
  #probeInFlight = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(settings: BreakerSettings, onChange: () => void, random: Random = Math.random) {
    this.settings = settings;
    this.#onChange = onChange;
    this.#random = random;
    this.#backoffMs = settings.minBackoffMs;
  }

  /** Whether the balancer may pick the endpoint now. */
  get available(): boolean {
    return this.state === 'closed' || (this.state === 'probing' && !this.#probeInFlight);
  }

  /** A request was sent to the endpoint. */
  started(): void {
    if (this.state === 'probing' && !this.#probeInFlight) {
      this.#probeInFlight = true;
      this.#onChange();
    }
  }

  /** A response (or a failure to get one) from the endpoint. */
  record(failure: boolean): void {
    if (this.settings.consecutive === 0) return;
    if (this.state === 'probing') {
      if (!this.#probeInFlight) return;
      this.#probeInFlight = false;
      if (failure) {
        this.#backoffMs = Math.min(this.settings.maxBackoffMs, this.#backoffMs * 2);
        this.#open();
      } else {
        this.state = 'closed';
        this.#failures = 0;
        this.#backoffMs = this.settings.minBackoffMs;
        this.#onChange();
      }
      return;
    }
    if (this.state === 'open') return;
    if (!failure) {
      this.#failures = 0;
      return;
    }
    if (++this.#failures >= this.settings.consecutive) this.#open();
  }

  /** How long this ejection lasts: the backoff plus its jitter, within the maximum. */
  #penaltyMs(): number {
    const base = this.#backoffMs;
    const jitter = base * this.settings.jitterRatio * this.#random();
    return Math.min(MAX_TIMER_MS, base + Math.min(jitter, Math.max(0, this.settings.maxBackoffMs - base)));
  }

  #open(): void {
    this.state = 'open';
    this.#failures = 0;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.state = 'probing';
      this.#onChange();
    }, this.#penaltyMs());
    this.#timer.unref();
    this.#onChange();
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }
}
