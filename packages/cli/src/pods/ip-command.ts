import { execFile, spawnSync } from 'node:child_process';
import { CliError, CliErrorCode } from '../errors.ts';

// The pod network is built by short commands (ip, proxy-init) run one after
// the other; each has a deadline so a wedged one fails the set-up instead of
// hanging it. Synchronous on purpose: teardown must also run from an exit hook.
const TIMEOUT_MS = 30_000;

export interface CommandResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the command and reports how it went, whatever the exit status. */
function tryCommand(cmd: string, args: readonly string[], input?: string): CommandResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: TIMEOUT_MS, input });
  const stderr = r.error ? r.error.message : (r.stderr ?? '').trim();
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr };
}

/** tryCommand without blocking: for steps that may run side by side (proxy-init in every pod). */
export function tryCommandAsync(cmd: string, args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: TIMEOUT_MS }, (err, stdout, stderr) =>
      resolve({ ok: !err, stdout, stderr: stderr.trim() || (err?.message ?? '') }),
    );
  });
}

/** Runs the command; its stdout, or PODS_NETWORK naming the command and what it said. */
export function command(cmd: string, args: readonly string[]): string {
  const r = tryCommand(cmd, args);
  if (!r.ok) throw new CliError(CliErrorCode.PodsNetwork, `${cmd} ${args.join(' ')}: ${r.stderr || 'failed'}`);
  return r.stdout;
}

export const ip = (...args: string[]): string => command('ip', args);

/**
 * Runs `ip` commands (one per line, as `ip` takes them) in one process, in
 * `netns` when given: a pod's whole set-up costs one spawn, not one per step.
 * `ip -batch` stops at the first failing line and names it.
 */
export function ipBatch(lines: readonly string[], netns?: string): void {
  const args = [...(netns ? ['-n', netns] : []), '-batch', '-'];
  const r = tryCommand('ip', args, `${lines.join('\n')}\n`);
  if (!r.ok)
    throw new CliError(
      CliErrorCode.PodsNetwork,
      `ip ${args.join(' ')}: ${r.stderr || 'failed'}\n  ${lines.join('\n  ')}`,
    );
}
