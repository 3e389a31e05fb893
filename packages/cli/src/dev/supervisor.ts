import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, CliErrorCode } from '../errors.ts';
import { LinePrefixer, type Paint } from './log-prefix.ts';
import { describeCheck, type ProcessSpec } from './process-spec.ts';
import { probe } from './readiness.ts';

/** A process that stopped while it was meant to be running. */
export interface UnexpectedExit {
  readonly name: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SupervisorOptions {
  /** Where prefixed process output and progress lines go. */
  readonly write: (text: string) => void;
  readonly paint: Paint;
  readonly readyTimeoutMs: number;
  /** How long a process gets to exit after SIGTERM before it is killed. */
  readonly stopGraceMs: number;
}

interface Running {
  readonly spec: ProcessSpec;
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  output: string;
}

// Output kept per process for log-line readiness checks and failure reports.
const OUTPUT_KEPT = 64 * 1024;
const LINES_REPORTED = 12;

/** The end of a process's output, indented, for an error that names it. */
function tail(running: Running): string {
  const lines = running.output.trimEnd().split('\n').slice(-LINES_REPORTED);
  if (lines.length === 1 && lines[0] === '') return `\n  (${running.spec.name} printed nothing)`;
  return `\n  last lines of ${running.spec.name}:\n${lines.map((line) => `    ${line}`).join('\n')}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/**
 * Starts processes in order, each once the previous one is ready, prefixes
 * their output, and stops all of them together. It knows nothing about what
 * the processes are, so a sidecar is just one more spec in the list.
 */
export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #running: Running[] = [];
  #stopping = false;
  #closed = false;
  #reportExit: (exit: UnexpectedExit) => void = () => {};
  /** Resolves when any process exits before stop() was called. */
  readonly unexpectedExit: Promise<UnexpectedExit>;
  readonly #killOnExit = () => {
    for (const { child } of this.#running) if (child.exitCode === null) child.kill('SIGKILL');
  };

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.unexpectedExit = new Promise((resolve) => {
      this.#reportExit = resolve;
    });
    // Children run in their own process group (so Ctrl-C reaches only the
    // runner, which then stops them in order); if the runner dies anyway,
    // they must not outlive it.
    process.on('exit', this.#killOnExit);
  }

  pids(): number[] {
    return this.#running.flatMap(({ child }) => (child.pid === undefined ? [] : [child.pid]));
  }

  /** Starts each process once the previous one is ready. */
  async start(specs: readonly ProcessSpec[]): Promise<void> {
    for (const spec of specs) {
      const running = this.#spawn(spec);
      await this.#awaitReady(running);
    }
  }

  /** Starts processes that do not depend on each other at once, and waits until all are ready. */
  async startTogether(specs: readonly ProcessSpec[]): Promise<void> {
    const started = specs.map((spec) => this.#spawn(spec));
    const results = await Promise.allSettled(started.map((running) => this.#awaitReady(running)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** The end of a process's output, as an error report shows it. */
  lastLines(name: string): string {
    const running = this.#running.find(({ spec }) => spec.name === name);
    return running ? tail(running) : '';
  }

  #spawn(spec: ProcessSpec): Running {
    // A start still under way when the runner was told to stop must not add processes.
    if (this.#closed) throw new CliError(CliErrorCode.Dev, `not starting ${spec.name}: stopping`);
    const index = this.#running.length;
    const child = spawn(spec.command, [...spec.args], {
      env: { ...spec.env },
      cwd: spec.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const running: Running = { spec, child, exited: once(child, 'exit').catch(() => undefined), output: '' };
    const prefix = this.#options.paint(`[${spec.name}]`, index);
    for (const stream of [child.stdout, child.stderr]) {
      const lines = new LinePrefixer(prefix, this.#options.write);
      stream?.on('data', (chunk: Buffer) => {
        running.output = (running.output + chunk.toString()).slice(-OUTPUT_KEPT);
        lines.push(chunk);
      });
      stream?.on('end', () => lines.end());
    }
    child.on('error', (error) => this.#options.write(`[dev] ${spec.name}: ${error.message}\n`));
    child.on('exit', (code, signal) => {
      if (!this.#stopping) this.#reportExit({ name: spec.name, code, signal });
    });
    this.#running.push(running);
    return running;
  }

  async #awaitReady(running: Running): Promise<void> {
    const { spec, child } = running;
    const started = performance.now();
    let nextProgress = started + 2000;
    this.#options.write(`[dev] starting ${spec.name}, waiting for ${describeCheck(spec.ready)}\n`);
    while (!(await probe(spec.ready, running.output))) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new CliError(
          CliErrorCode.Dev,
          `${spec.name} exited (${child.exitCode ?? child.signalCode}) before it was ready${tail(running)}`,
        );
      }
      const now = performance.now();
      if (now - started > this.#options.readyTimeoutMs) {
        throw new CliError(
          CliErrorCode.Dev,
          `${spec.name} not ready after ${Math.round(this.#options.readyTimeoutMs / 1000)} s (${describeCheck(spec.ready)})${tail(running)}`,
        );
      }
      if (now >= nextProgress) {
        this.#options.write(`[dev] still waiting for ${spec.name} (${Math.round((now - started) / 1000)} s)\n`);
        nextProgress += 2000;
      }
      await sleep(100);
    }
    this.#options.write(`[dev] √ ${spec.name} ready (${seconds(performance.now() - started)})\n`);
  }

  /**
   * SIGTERM to the named processes (all of them when no names are given),
   * and SIGKILL to any still running after the grace period. Calling it with
   * names first lets the caller stop in tiers: traffic sources and sidecars
   * drain before the apps and the control plane behind them go.
   */
  async stop(names?: readonly string[]): Promise<void> {
    this.#stopping = true;
    if (names === undefined) this.#closed = true;
    const live = [...this.#running]
      .reverse()
      .filter(({ spec }) => names === undefined || names.includes(spec.name))
      .filter(({ child }) => child.exitCode === null && child.signalCode === null);
    await Promise.all(
      live.map(async ({ child, exited }) => {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), this.#options.stopGraceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
    if (names === undefined) process.off('exit', this.#killOnExit);
  }
}
