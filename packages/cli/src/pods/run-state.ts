import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, CliErrorCode } from '../errors.ts';
import type { PodNetworkPlan } from './plan.ts';

// A run writes its whole plan down before it creates anything, so whatever
// it leaves behind (SIGKILLed, or set-up cut short) can be found and removed
// by name: the next start reads these files and tears down every run whose
// process is gone. The default folder is /run, like the namespaces' own
// /run/netns: both are per machine and both vanish at reboot.

export const DEFAULT_STATE_DIR = '/run/weft/pods';

export interface RunState {
  readonly pid: number;
  /** The process's start time in clock ticks (/proc/PID/stat), so a reused pid is not taken for the run. */
  readonly startTime: string;
  readonly plan: PodNetworkPlan;
}

/** Field 22 of /proc/PID/stat, or undefined when there is no such process. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const pathOf = (dir: string, run: string) => join(dir, `${run}.json`);

/** Records the plan as this process's; PODS_NETWORK when it cannot, since then nothing may be made. */
export function writeRunState(dir: string, plan: PodNetworkPlan): void {
  const state: RunState = { pid: process.pid, startTime: startTimeOf(process.pid) ?? '', plan };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(pathOf(dir, plan.run), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  } catch (err) {
    throw new CliError(
      CliErrorCode.PodsNetwork,
      `recording pods run ${plan.run} in ${dir}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

export function removeRunState(dir: string, run: string): void {
  rmSync(pathOf(dir, run), { force: true });
}

const isRunAlive = (state: RunState): boolean => startTimeOf(state.pid) === state.startTime;

/** The recorded runs whose process is gone; files that do not parse are reported, not fatal. */
export function staleRuns(dir: string, warn: (message: string) => void): RunState[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^[0-9a-f]{6}\.json$/.test(n));
  } catch {
    return []; // no folder: no run was ever recorded here
  }
  const stale: RunState[] = [];
  for (const name of names) {
    try {
      const state = JSON.parse(readFileSync(join(dir, name), 'utf8')) as RunState;
      if (typeof state?.pid !== 'number' || typeof state.plan?.run !== 'string') throw new Error('not a run state');
      if (!isRunAlive(state)) stale.push(state);
    } catch (err) {
      warn(`pods: ignoring ${join(dir, name)}: ${(err as Error).message}`);
    }
  }
  return stale;
}
