import type { Clock, TimerHandle } from '../../src/clock.ts';

interface Pending {
  readonly at: number;
  readonly callback: () => void;
}

/** A clock that moves only when told to; timers due by then fire in order. */
export class ManualClock implements Clock {
  #now: number;
  readonly #timers = new Set<Pending>();

  constructor(start = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { at: this.#now + ms, callback };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as Pending);
  }

  /** Delays of the timers still pending, from now. */
  pendingDelays(): number[] {
    return [...this.#timers].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }

  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const due = [...this.#timers].filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers.delete(due);
      this.#now = due.at;
      due.callback();
    }
    this.#now = until;
  }
}
