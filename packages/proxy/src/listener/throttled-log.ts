import { log } from '../app/log.ts';

// Events that a hostile client can repeat at will (refused connections,
// broken streams) are logged at most once per interval and key; the line
// says how many were left out since the last one.

export class ThrottledLog {
  readonly #intervalMs: number;
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(intervalMs = 10_000) {
    this.#intervalMs = intervalMs;
  }

  /** `key` is one of a fixed set (direction and kind), so the map stays small. */
  warn(key: string, msg: string, fields: Record<string, unknown>): void {
    const now = performance.now();
    const last = this.#last.get(key);
    if (last && now - last.at < this.#intervalMs) {
      last.suppressed++;
      return;
    }
    log.warn(msg, last?.suppressed ? { ...fields, suppressed: last.suppressed } : fields);
    this.#last.set(key, { at: now, suppressed: 0 });
  }
}
