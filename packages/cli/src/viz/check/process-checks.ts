import { NONE, renderTable } from '../../output/table.ts';
import type { LocalProcess } from '../workload.ts';
import { type CheckCategory, fail, ok } from './result.ts';

// The processes `weft dev` supervises, listed as kubectl lists a pod's
// containers (READY, RESTARTS), and one check: all of them ready. A process
// that exited is started again by `weft dev`; until it is ready, this fails.

export function processChecks(processes: readonly LocalProcess[]): CheckCategory | undefined {
  // A viz server that runs without `weft dev` supervises nothing.
  if (processes.length === 0) return undefined;
  const notReady = processes
    .filter((p) => !p.ready)
    .map(
      (p) =>
        `${p.name}: ${p.pid === undefined ? `waiting to start again (${p.lastExit ?? 'exited'})` : 'started, not ready yet'}, restarts ${p.restarts}`,
    );
  const table = renderTable(
    ['NAME', 'READY', 'RESTARTS', 'PID', 'LAST EXIT'],
    processes.map((p) => [p.name, p.ready ? '1/1' : '0/1', p.restarts, p.pid ?? NONE, p.lastExit ?? NONE]),
  );
  return {
    name: 'weft-dev',
    table,
    checks: [
      notReady.length === 0
        ? ok('weft dev processes are ready')
        : fail(
            'weft dev processes are ready',
            'weft dev starts a process that exited again after a backoff (up to 10 s); see its log there',
            notReady,
          ),
    ],
  };
}
