import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { InjectorError, InjectorErrorCode } from '../errors.ts';
import type { IptablesMode } from './args.ts';

/** The save and restore commands of one iptables front end, for one IP family. */
export interface Firewall {
  readonly mode: IptablesMode;
  readonly family: 4 | 6;
  readonly save: string;
  readonly restore: string;
}

const SUFFIX: Record<IptablesMode, string> = { nft: '-nft', legacy: '-legacy', plain: '' };
// Linkerd's proxy-init falls back in this order when the asked-for front end is not installed.
const FALLBACK: readonly IptablesMode[] = ['nft', 'plain', 'legacy'];
const TIMEOUT_MS = 30_000;

function onPath(name: string, path: string): boolean {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** The front end to use: `mode` when installed, else the first installed one in Linkerd's order. */
export function chooseFirewall(mode: IptablesMode, family: 4 | 6, path = process.env.PATH ?? ''): Firewall {
  const base = family === 6 ? 'ip6tables' : 'iptables';
  for (const m of [mode, ...FALLBACK.filter((f) => f !== mode)]) {
    const fw = { mode: m, family, save: `${base}${SUFFIX[m]}-save`, restore: `${base}${SUFFIX[m]}-restore` };
    if (onPath(fw.save, path) && onPath(fw.restore, path)) return fw;
  }
  throw new InjectorError(
    InjectorErrorCode.NoIptables,
    `proxy-init: no ${base}-save/${base}-restore (nft, legacy or plain) on PATH (${path}); install iptables`,
  );
}

function run(cmd: string, args: readonly string[], input?: string): string {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', timeout: TIMEOUT_MS });
  if (r.error) throw new InjectorError(InjectorErrorCode.IptablesFailed, `proxy-init: ${cmd}: ${r.error.message}`);
  if (r.status === 0) return r.stdout;
  const said = r.stderr.trim();
  const code = /permission denied|must be root|operation not permitted/i.test(said)
    ? InjectorErrorCode.IptablesPermission
    : InjectorErrorCode.IptablesFailed;
  throw new InjectorError(code, `proxy-init: ${cmd} ${args.join(' ')} exited with ${r.status}: ${said}`);
}

/** What `iptables-save -t nat` shows now. */
export const saveNat = (fw: Firewall): string => run(fw.save, ['-t', 'nat']);

/** Applies `rules` in one transaction, keeping every chain and rule they do not declare. */
export const restoreNat = (fw: Firewall, rules: string): void => {
  // -w: wait for the xtables lock rather than fail when something else holds it.
  run(fw.restore, ['--noflush', '-w'], rules);
};
