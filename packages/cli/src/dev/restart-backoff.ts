// How long a process that exited waits before it is started again, as a
// kubelet backs off a crashing container: 0.5 s, doubling up to 10 s, and
// back to 0.5 s once a run has stayed up long enough to count as healthy.

export const FIRST_DELAY_MS = 500;
export const MAX_DELAY_MS = 10_000;
/** A run that was up this long resets the delay. */
export const HEALTHY_RUN_MS = 10_000;

export class RestartBackoff {
  #delayMs = FIRST_DELAY_MS;

  /** The delay before the next start, given how long the run that just ended was up. */
  next(upForMs: number): number {
    if (upForMs >= HEALTHY_RUN_MS) this.#delayMs = FIRST_DELAY_MS;
    const delay = this.#delayMs;
    this.#delayMs = Math.min(MAX_DELAY_MS, this.#delayMs * 2);
    return delay;
  }
}
