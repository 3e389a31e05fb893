import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, CliErrorCode } from '../errors.ts';
import type { LocalProcess } from '../viz/workload.ts';
import { LIFELINE_ENV } from './lifeline.ts';
import { LinePrefixer, type Paint } from './log-prefix.ts';
import { describeCheck, type ProcessSpec } from './process-spec.ts';
import { probe } from './readiness.ts';
import { RestartBackoff } from './restart-backoff.ts';

export interface SupervisorOptions {
  /** Where prefixed process output and progress lines go. */
  readonly write: (text: string) => void;
  readonly paint: Paint;
  readonly readyTimeoutMs: number;
  /** How long a process gets to exit after SIGTERM before it is killed. */
  readonly stopGraceMs: number;
}

export type ReadinessListener = (name: string, ready: boolean) => void;

/** One spec and its current run; a restart replaces the run, never the entry. */
interface Supervised {
  readonly spec: ProcessSpec;
  readonly index: number;
  readonly backoff: RestartBackoff;
  child: ChildProcess;
  exited: Promise<unknown>;
  /** What the current run printed, for log-line readiness and failure reports. */
  output: string;
  ready: boolean;
  everReady: boolean;
  /** performance.now() when the current run became ready. */
  readyAt: number;
  restarts: number;
  lastExit: string | undefined;
  restartTimer: NodeJS.Timeout | undefined;
}

// Output kept per process for log-line readiness checks and failure reports.
const OUTPUT_KEPT = 64 * 1024;
const LINES_REPORTED = 12;
// The child's end of the lifeline pipe (lifeline.ts).
const LIFELINE_FD = 3;
const LIFELINE_IMPORT = `--import=${new URL('./lifeline.ts', import.meta.url).href}`;

/** The end of a process's output, indented, for an error that names it. */
function tail(running: Supervised): string {
  const lines = running.output.trimEnd().split('\n').slice(-LINES_REPORTED);
  if (lines.length === 1 && lines[0] === '') return `\n  (${running.spec.name} printed nothing)`;
  return `\n  last lines of ${running.spec.name}:\n${lines.map((line) => `    ${line}`).join('\n')}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/**
 * Starts processes in order, each once the previous one is ready, prefixes
 * their output, restarts one that exits after it was ready (with backoff,
 * on the same spec, so on the same ports), and stops all of them together.
 * It knows nothing about what the processes are, so a sidecar is just one
 * more spec in the list. Every child watches a lifeline to this process, so
 * none outlives it, even when it is killed.
 */
export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #supervised: Supervised[] = [];
  readonly #readinessListeners: ReadinessListener[] = [];
  #stopping = false;
  #closed = false;

  constructor(options: SupervisorOptions) {
    this.#options = options;
  }

  pids(): number[] {
    return this.#supervised.flatMap(({ child }) => (child.pid === undefined || !running(child) ? [] : [child.pid]));
  }

  /** Every process, as `weft check` shows it. */
  processes(): LocalProcess[] {
    return this.#supervised.map((s) => ({
      name: s.spec.name,
      pid: running(s.child) ? s.child.pid : undefined,
      ready: s.ready,
      restarts: s.restarts,
      ...(s.lastExit === undefined ? {} : { lastExit: s.lastExit }),
    }));
  }

  /**
   * Tells `listener` when a process that was ready exits (false) and when
   * it is ready again after its restart (true), as a kubelet's readiness
   * takes a pod out of its Service's endpoints and back.
   */
  onReadiness(listener: ReadinessListener): void {
    this.#readinessListeners.push(listener);
  }

  isReady(name: string): boolean {
    return this.#supervised.some((s) => s.spec.name === name && s.ready);
  }

  /** Starts each process once the previous one is ready. */
  async start(specs: readonly ProcessSpec[]): Promise<void> {
    for (const spec of specs) await this.#awaitReady(this.#add(spec));
  }

  /** Starts processes that do not depend on each other at once, and waits until all are ready. */
  async startTogether(specs: readonly ProcessSpec[]): Promise<void> {
    const started = specs.map((spec) => this.#add(spec));
    const results = await Promise.allSettled(started.map((s) => this.#awaitReady(s)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  #add(spec: ProcessSpec): Supervised {
    // A start still under way when the runner was told to stop must not add processes.
    if (this.#closed) throw new CliError(CliErrorCode.Dev, `not starting ${spec.name}: stopping`);
    // The fields of the current run (child, exited, output, ready, restartTimer) are set by #launch.
    const entry = {
      spec,
      index: this.#supervised.length,
      backoff: new RestartBackoff(),
      everReady: false,
      readyAt: 0,
      restarts: 0,
      lastExit: undefined,
    } as Supervised;
    this.#launch(entry);
    this.#supervised.push(entry);
    return entry;
  }

  /** Spawns the entry's spec as its current run. */
  #launch(entry: Supervised): void {
    const { spec } = entry;
    const nodeOptions = [spec.env.NODE_OPTIONS, LIFELINE_IMPORT].filter(Boolean).join(' ');
    const child = spawn(spec.command, [...spec.args], {
      env: { ...spec.env, NODE_OPTIONS: nodeOptions, [LIFELINE_ENV]: String(LIFELINE_FD) },
      cwd: spec.cwd,
      // fd 3 is the lifeline: this end is never written, and closes when this process ends.
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      // Its own process group, so Ctrl-C reaches only the runner, which then stops children in order.
      detached: true,
    });
    child.stdio[LIFELINE_FD]?.on('error', () => {});
    Object.assign(entry, {
      child,
      exited: once(child, 'exit').catch(() => undefined),
      output: '',
      ready: false,
      restartTimer: undefined,
    });
    const prefix = this.#options.paint(`[${spec.name}]`, entry.index);
    for (const stream of [child.stdout, child.stderr]) {
      const lines = new LinePrefixer(prefix, this.#options.write);
      stream?.on('data', (chunk: Buffer) => {
        if (entry.child === child) entry.output = (entry.output + chunk.toString()).slice(-OUTPUT_KEPT);
        lines.push(chunk);
      });
      stream?.on('end', () => lines.end());
    }
    child.on('error', (error) => this.#options.write(`[dev] ${spec.name}: ${error.message}\n`));
    child.on('exit', (code, signal) => this.#exited(entry, describeExit(code, signal)));
  }

  /** A run ended: one that had been ready is started again after its backoff. */
  #exited(entry: Supervised, how: string): void {
    const wasReady = entry.ready;
    const upFor = wasReady ? performance.now() - entry.readyAt : 0;
    entry.ready = false;
    entry.lastExit = how;
    // Before it was ever ready, start() reports it; while stopping, it was asked to go.
    if (this.#stopping || !entry.everReady) return;
    if (wasReady) for (const listener of this.#readinessListeners) listener(entry.spec.name, false);
    const delay = entry.backoff.next(upFor);
    entry.restarts += 1;
    this.#options.write(`[dev] ${entry.spec.name} exited (${how}); restart ${entry.restarts} in ${seconds(delay)}\n`);
    entry.restartTimer = setTimeout(() => {
      if (this.#stopping) return;
      this.#launch(entry);
      void this.#awaitReadyAgain(entry);
    }, delay);
  }

  /** Polls the readiness check until it passes, the run ends, or `deadline` (performance.now()) passes. */
  async #poll(entry: Supervised, deadline: number, progress: boolean): Promise<'ready' | 'exited' | 'timeout'> {
    const { spec, child } = entry;
    const started = performance.now();
    let nextProgress = started + 2000;
    while (!(await probe(spec.ready, entry.output))) {
      if (!running(child) || entry.child !== child) return 'exited';
      const now = performance.now();
      if (now > deadline) return 'timeout';
      if (progress && now >= nextProgress) {
        this.#options.write(`[dev] still waiting for ${spec.name} (${Math.round((now - started) / 1000)} s)\n`);
        nextProgress += 2000;
      }
      await sleep(100);
    }
    return running(child) && entry.child === child ? 'ready' : 'exited';
  }

  #markReady(entry: Supervised): void {
    entry.ready = true;
    entry.everReady = true;
    entry.readyAt = performance.now();
  }

  async #awaitReady(entry: Supervised): Promise<void> {
    const { spec, child } = entry;
    const started = performance.now();
    this.#options.write(`[dev] starting ${spec.name}, waiting for ${describeCheck(spec.ready)}\n`);
    const outcome = await this.#poll(entry, started + this.#options.readyTimeoutMs, true);
    if (outcome === 'exited') {
      throw new CliError(
        CliErrorCode.Dev,
        `${spec.name} exited (${child.exitCode ?? child.signalCode}) before it was ready${tail(entry)}`,
      );
    }
    if (outcome === 'timeout') {
      throw new CliError(
        CliErrorCode.Dev,
        `${spec.name} not ready after ${Math.round(this.#options.readyTimeoutMs / 1000)} s (${describeCheck(spec.ready)})${tail(entry)}`,
      );
    }
    this.#markReady(entry);
    this.#options.write(`[dev] √ ${spec.name} ready (${seconds(performance.now() - started)})\n`);
  }

  /** A restarted run has no deadline: until it is ready or exits again, `weft check` shows it not ready. */
  async #awaitReadyAgain(entry: Supervised): Promise<void> {
    const started = performance.now();
    if ((await this.#poll(entry, Number.POSITIVE_INFINITY, false)) !== 'ready' || this.#stopping) return;
    this.#markReady(entry);
    const { name } = entry.spec;
    this.#options.write(
      `[dev] √ ${name} ready again (restart ${entry.restarts}, ${seconds(performance.now() - started)})\n`,
    );
    for (const listener of this.#readinessListeners) listener(name, true);
  }

  /**
   * SIGTERM to the named processes (all of them when no names are given),
   * and SIGKILL to any still running after the grace period. Calling it with
   * names first lets the caller stop in tiers: traffic sources and sidecars
   * drain before the apps and the control plane behind them go. Nothing is
   * restarted once stopping has begun.
   */
  async stop(names?: readonly string[]): Promise<void> {
    this.#stopping = true;
    if (names === undefined) this.#closed = true;
    for (const entry of this.#supervised) clearTimeout(entry.restartTimer);
    const live = [...this.#supervised]
      .reverse()
      .filter(({ spec }) => names === undefined || names.includes(spec.name))
      .filter(({ child }) => running(child));
    await Promise.all(
      live.map(async ({ child, exited }) => {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), this.#options.stopGraceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
