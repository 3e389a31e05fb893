import type { BreakerSettings } from './settings.ts';

// One endpoint's failure accrual: after `consecutive` failures in a row the
// endpoint is ejected (the balancer stops picking it) for a backoff that
// doubles with each failed probe, up to the maximum. When the backoff ends
// the endpoint takes exactly one request, the probe: success readmits it,
// failure ejects it again. `onChange` tells the owner to rebuild its set of
// ready endpoints.

export type BreakerState = 'closed' | 'open' | 'probing';

export class Breaker {
  readonly #settings: BreakerSettings;
  readonly #onChange: () => void;
  state: BreakerState = 'closed';
  #failures = 0;
  #backoffMs: number;
  #probeInFlight = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(settings: BreakerSettings, onChange: () => void) {
    this.#settings = settings;
    this.#onChange = onChange;
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
    if (this.#settings.consecutive === 0) return;
    if (this.state === 'probing') {
      if (!this.#probeInFlight) return;
      this.#probeInFlight = false;
      if (failure) {
        this.#backoffMs = Math.min(this.#settings.maxBackoffMs, this.#backoffMs * 2);
        this.#open();
      } else {
        this.state = 'closed';
        this.#failures = 0;
        this.#backoffMs = this.#settings.minBackoffMs;
        this.#onChange();
      }
      return;
    }
    if (this.state === 'open') return;
    if (!failure) {
      this.#failures = 0;
      return;
    }
    if (++this.#failures >= this.#settings.consecutive) this.#open();
  }

  #open(): void {
    this.state = 'open';
    this.#failures = 0;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.state = 'probing';
      this.#onChange();
    }, this.#backoffMs);
    this.#timer.unref();
    this.#onChange();
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }
}
