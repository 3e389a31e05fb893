import { randomInt } from 'node:crypto';
import { FuzzError, FuzzErrorCode } from './errors.ts';
import type { RunOptions } from './runner.ts';

// How long and how hard to fuzz: defaults that fit CI (about 12 s a
// listener), WEFT_FUZZ_* variables to change them in any run, and the same as
// flags for a long run by hand.

export const DEFAULTS = {
  seconds: 12,
  concurrency: 16,
  batch: 32,
  lingerMs: 1000,
  // A Node process's heap settles at its high-water mark rather than shrinking
  // back; a leak per connection passes this within a minute.
  rssGrowthMiB: 120,
  // Sockets to the app and the control plane stay pooled; every fuzz
  // connection is closed by the end, so more than this left open is a leak.
  descriptorGrowth: 64,
} as const;

function number(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0)
    throw new FuzzError(FuzzErrorCode.InvalidOption, `${name}: expected a non-negative number, got "${text}"`);
  return value;
}

/** Run options from WEFT_FUZZ_SEED, WEFT_FUZZ_SECONDS and WEFT_FUZZ_RSS_MIB; a random seed when none is given. */
export function optionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
): RunOptions {
  return {
    seed: number('WEFT_FUZZ_SEED', env.WEFT_FUZZ_SEED, randomInt(0, 0xffffffff)) >>> 0,
    seconds: number('WEFT_FUZZ_SECONDS', env.WEFT_FUZZ_SECONDS, DEFAULTS.seconds),
    concurrency: DEFAULTS.concurrency,
    batch: DEFAULTS.batch,
    lingerMs: DEFAULTS.lingerMs,
    rssGrowthBytes: number('WEFT_FUZZ_RSS_MIB', env.WEFT_FUZZ_RSS_MIB, DEFAULTS.rssGrowthMiB) * 1024 * 1024,
    descriptorGrowth: DEFAULTS.descriptorGrowth,
    log,
  };
}
