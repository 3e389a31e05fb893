import { formatLogLine, type Logger } from '../../src/log.ts';

/** Keeps log lines in memory so tests can assert what an operator would read. */
export class CaptureLogger implements Logger {
  readonly lines: string[] = [];
  readonly #waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];

  log(...args: Parameters<Logger['log']>): void {
    const line = formatLogLine(...args);
    this.lines.push(line);
    for (const waiter of [...this.#waiters]) {
      if (waiter.pattern.test(line)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  }

  /** Resolves with the first line (already logged or future) matching `pattern`. */
  waitFor(pattern: RegExp): Promise<string> {
    const seen = this.lines.find((l) => pattern.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ pattern, resolve }));
  }
}
