import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Where a redirected connection was going before iptables sent it to us. */
export interface OriginalDst {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

/**
 * The addon's one function: undefined when netfilter never rewrote the
 * connection. `family` (4 for IPv4, also as ::ffff:a.b.c.d on a dual-stack
 * socket; 6 for IPv6) spares it asking the kernel for the socket's address.
 */
export type NativeLookup = (fd: number, family?: 4 | 6) => OriginalDst | undefined;

export type OriginalDstSupport =
  | { readonly available: true; readonly lookup: NativeLookup }
  | { readonly available: false; readonly reason: string };

const addonPath = fileURLToPath(new URL('../build/original_dst.node', import.meta.url));
const buildScript = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));

let support: OriginalDstSupport | undefined;

/** Runs the install-time build; what it said about the outcome (it explains itself on stderr). */
function build(): string {
  const r = spawnSync(process.execPath, [buildScript], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (r.stderr || r.error?.message || '').trim();
}

function load(): OriginalDstSupport {
  if (process.platform !== 'linux') {
    return { available: false, reason: `SO_ORIGINAL_DST exists only on Linux (this is ${process.platform})` };
  }
  let buildNote = '';
  // Normally built by `pnpm install`; built here when that was skipped or came before a compiler.
  if (!existsSync(addonPath)) buildNote = build();
  if (!existsSync(addonPath)) {
    return { available: false, reason: `the addon could not be built: ${buildNote || 'no output'}` };
  }
  try {
    const addon = createRequire(import.meta.url)(addonPath) as { originalDst: NativeLookup };
    return { available: true, lookup: addon.originalDst };
  } catch (err) {
    return { available: false, reason: `the addon did not load: ${(err as Error).message}` };
  }
}

/** Loads (building first if need be) the addon once per process; never throws. */
export function loadOriginalDst(): OriginalDstSupport {
  support ??= load();
  return support;
}
