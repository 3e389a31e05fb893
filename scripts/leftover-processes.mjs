// Processes a test run left behind: those whose command line names this
// checkout and that were not running when the run began, other than the
// runner itself and its ancestors. A test must stop everything it starts;
// what outlives the run is printed, killed, and fails the run. Used by the
// `test` task (scripts/toolchain.mjs) and by each package's vitest run
// (vitest.shared.ts), which pins the blame on the package.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

// A process stopped at the end of a test may take a moment to exit, several
// seconds on a machine busy with other test runs.
const GRACE_MS = 10_000;

/** pid, parent pid, state and command line of every process, from /proc. */
function processTable() {
  const table = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name in field 2 may contain spaces; the fields after ")" are fixed.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      table.push({ pid: Number(entry), ppid: Number(ppid), state, argv, args: argv.join(' ') });
    } catch {
      // It ended while we looked.
    }
  }
  return table;
}

function ancestors(table) {
  const parent = new Map(table.map((p) => [p.pid, p.ppid]));
  const chain = new Set();
  for (let pid = process.pid; pid > 0 && !chain.has(pid); pid = parent.get(pid) ?? 0) chain.add(pid);
  return chain;
}

/**
 * Live processes of this checkout, other than this one and its ancestors: an
 * argument names a file of the checkout. The toolchain's own files do not
 * count, since another checkout may run its code with this one's Node.
 */
export function checkoutProcesses(root = ROOT) {
  const table = processTable();
  const mine = ancestors(table);
  const marker = `${root}/`;
  const toolchain = `${root}/.toolchain/`;
  const ofCheckout = (arg) => arg.includes(marker) && !arg.includes(toolchain);
  return table.filter((p) => p.state !== 'Z' && !mine.has(p.pid) && p.argv.some(ofCheckout));
}

/** What is running now, to tell a process the run started from one that was there before. */
export function snapshot(root = ROOT) {
  return new Set(checkoutProcesses(root).map((p) => p.pid));
}

/**
 * Waits briefly for processes started since `before` to end; prints and
 * SIGKILLs those that do not. Returns how many were left.
 */
export async function killLeftovers(before, label, root = ROOT) {
  const started = Date.now();
  let left = checkoutProcesses(root).filter((p) => !before.has(p.pid));
  while (left.length > 0 && Date.now() - started < GRACE_MS) {
    await sleep(200);
    left = checkoutProcesses(root).filter((p) => !before.has(p.pid));
  }
  if (left.length === 0) return 0;
  process.stderr.write(`${label}: ${left.length} process(es) outlived the tests that started them; killing them:\n`);
  for (const p of left) {
    process.stderr.write(`  ${p.pid} (parent ${p.ppid}) ${p.args}\n`);
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  return left.length;
}

/** vitest globalSetup: fails the package's run when its tests leave processes behind. */
export default function setup() {
  const before = snapshot();
  return async () => {
    const label = `vitest in ${process.cwd().slice(ROOT.length + 1) || '.'}`;
    if ((await killLeftovers(before, label)) > 0) process.exitCode = 1;
  };
}
