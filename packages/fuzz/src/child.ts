import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { FuzzError, FuzzErrorCode } from './errors.ts';

// A component under fuzz as a child process, started from its main.ts as
// `weft dev` starts it, so a crash is seen for what it is: a dead process.

// Enough of a process's stderr to hold the stack trace of its last words.
const OUTPUT_KEPT = 64 * 1024;

export interface ChildSpec {
  readonly name: string;
  /** Node flags and the entry point. */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Matched against stderr until it matches: the line that says where the process listens. */
  readonly listening: RegExp;
  readonly startTimeoutMs?: number;
}

export class Child {
  readonly name: string;
  readonly #child: ChildProcess;
  #output = '';
  readonly exited: Promise<void>;

  constructor(spec: ChildSpec) {
    this.name = spec.name;
    this.#child = spawn(process.execPath, spec.args, { env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-OUTPUT_KEPT);
    };
    this.#child.stdout?.on('data', keep);
    this.#child.stderr?.on('data', keep);
    this.exited = once(this.#child, 'exit').then(() => {});
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  /** What the process printed last (stdout and stderr, interleaved as they arrived). */
  get output(): string {
    return this.#output;
  }

  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** How the process ended, for a report. */
  get exitStatus(): string {
    return this.#child.signalCode ? `signal ${this.#child.signalCode}` : `exit code ${this.#child.exitCode}`;
  }

  /** Resolves with the match of `spec.listening` once the process printed it. */
  async listening(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.#output);
      if (match) return match;
      if (!this.alive || Date.now() > deadline) {
        throw new FuzzError(
          FuzzErrorCode.StartFailed,
          `${this.name} ${this.alive ? 'did not say where it listens in time' : `ended (${this.exitStatus})`}:\n${this.#output}`,
        );
      }
      await Promise.race([once(this.#child.stderr as NodeJS.ReadableStream, 'data'), this.exited, sleep(500)]);
    }
  }

  /** Resident memory in bytes, from /proc/<pid>/status. */
  rss(): number {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(this.#proc(() => readFileSync(`/proc/${this.pid}/status`, 'utf8')))?.[1];
    if (kb === undefined) throw new FuzzError(FuzzErrorCode.TargetDown, `${this.name} has no VmRSS (pid ${this.pid})`);
    return Number(kb) * 1024;
  }

  /** Open file descriptors, from /proc/<pid>/fd. */
  descriptors(): number {
    return this.#proc(() => readdirSync(`/proc/${this.pid}/fd`)).length;
  }

  /** A read of /proc/<pid>, which is gone once the process is. */
  #proc<T>(read: () => T): T {
    try {
      return read();
    } catch (err) {
      const state = this.alive ? `is alive but /proc/${this.pid} is unreadable` : `ended (${this.exitStatus})`;
      throw new FuzzError(FuzzErrorCode.TargetDown, `${this.name} ${state}:\n${this.#output}`, { cause: err });
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.alive) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Starts a child and waits for its listening line; on failure the child is stopped before the error is thrown. */
export async function startChild(spec: ChildSpec): Promise<{ child: Child; match: RegExpExecArray }> {
  const child = new Child(spec);
  try {
    return { child, match: await child.listening(spec.listening, spec.startTimeoutMs) };
  } catch (err) {
    await child.stop();
    throw err;
  }
}
