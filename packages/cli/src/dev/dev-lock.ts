import { linkSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, CliErrorCode } from '../errors.ts';

// One `weft dev` per directory: two would fight over .weft/ (the CA, the viz
// state file) and the web port. The lock file holds the owner's pid; a lock
// whose pid is gone (or now runs something else) was left by a runner that
// was killed, and is taken over.

export interface DevLock {
  readonly path: string;
  /** Removes the lock if it is still ours. */
  release(): void;
}

/** The pid runs a `weft dev`: alive, and (where /proc tells) with `dev` among its arguments, not a reused pid. */
function runsWeftDev(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, as another user's process.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('dev');
  } catch {
    return true;
  }
}

function owner(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function acquireDevLock(stateDir: string): DevLock {
  const dir = join(stateDir, '.weft', 'dev');
  const path = join(dir, 'lock');
  mkdirSync(dir, { recursive: true });
  // Written whole under a name of its own, then linked into place: the lock never exists without its pid.
  const mine = `${path}.${process.pid}`;
  writeFileSync(mine, `${process.pid}\n`);
  try {
    return take(path, mine, stateDir);
  } finally {
    rmSync(mine, { force: true });
  }
}

function take(path: string, mine: string, stateDir: string): DevLock {
  // Twice at most: a stale lock is removed once, and a runner that took it meanwhile wins.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      linkSync(mine, path);
      return {
        path,
        release: () => {
          if (owner(path) === process.pid) unlinkSync(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = owner(path);
    if (pid !== undefined && pid !== process.pid && runsWeftDev(pid)) {
      throw new CliError(
        CliErrorCode.DevRunning,
        `weft dev is already running in ${stateDir} (pid ${pid}); stop it first, or run this one from another directory`,
      );
    }
    try {
      unlinkSync(path);
    } catch {
      // Another runner removed it first.
    }
  }
  throw new CliError(CliErrorCode.DevRunning, `another weft dev took ${path} while this one started`);
}
