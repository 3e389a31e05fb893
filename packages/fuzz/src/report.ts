import type { FuzzCase } from './fuzz-case.ts';

/** A case as it was sent on one connection, kept to be named in a failure report. */
export interface SentCase {
  /** The connection's number in the run: with the seed and the target, it regenerates the case. */
  readonly index: number;
  readonly fuzzCase: FuzzCase;
  /** Written inside a TLS session rather than on the bare connection. */
  readonly tls: boolean;
  /** The seed it was generated from when not the run's own (a replay of an earlier find). */
  readonly seed?: number;
}

const PREVIEW_BYTES = 160;
const OUTPUT_LINES = 40;

function describe({ index, fuzzCase, tls, seed }: SentCase): string {
  const sizes = fuzzCase.writes.map((w) => w.length);
  const head = Buffer.concat(fuzzCase.writes).subarray(0, PREVIEW_BYTES).toString('hex');
  const number = index < 0 ? '' : seed === undefined ? `#${index} ` : `replay #${index} of seed ${seed}: `;
  const how = tls ? 'inside TLS' : 'plaintext';
  return `  ${number}${fuzzCase.kind} (${how}), writes of ${sizes.join('+')} bytes, then ${fuzzCase.ending}\n    ${head}`;
}

/** What a person needs to replay a failure: the seed, the target, the last inputs and the process's last words. */
export function failureReport(o: {
  readonly target: string;
  readonly seed: number;
  readonly problem: string;
  readonly lastCases: readonly SentCase[];
  readonly output: string;
}): string {
  const lines = o.output
    .trimEnd()
    .split('\n')
    .slice(-OUTPUT_LINES)
    .map((l) => `  | ${l}`);
  return [
    `${o.target}: ${o.problem}`,
    `seed ${o.seed} (replay: pnpm --filter @weft/fuzz fuzz -- --target ${o.target} --seed ${o.seed})`,
    'last inputs:',
    ...o.lastCases.map(describe),
    "the process's last output:",
    ...lines,
  ].join('\n');
}
