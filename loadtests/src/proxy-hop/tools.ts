import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { C_LOAD_TOOLS } from './c-load.ts';

// The programs the bench drives besides Node, by the Debian package that
// brings each: nginx is the baseline, wrk and h2load the load.
export const BENCH_TOOLS: Readonly<Record<string, string>> = { nginx: 'nginx-light', ...C_LOAD_TOOLS };

function onPath(cmd: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin'];
  return dirs.some((dir) => dir && existsSync(join(dir, cmd)));
}

/** Installs the missing tools with apt-get (as root), or says which are missing. */
export function ensureTools(log: (line: string) => void): void {
  const missing = Object.entries(BENCH_TOOLS).filter(([cmd]) => !onPath(cmd));
  if (missing.length === 0) return;
  const packages = missing.map(([, pkg]) => pkg);
  log(`installing ${packages.join(', ')} (apt-get)`);
  try {
    execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '-q', ...packages], { stdio: 'ignore' });
  } catch (error) {
    throw new Error(
      `the proxy-hop bench needs ${missing.map(([cmd, pkg]) => `${cmd} (Debian ${pkg})`).join(', ')}: ${String(error)}`,
    );
  }
}
