import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

// Where a running viz server says it is, so `weft stat` in another terminal
// finds it: .weft/viz.json in the directory `weft dev` runs in. The CLI looks
// in the current directory and its parents, like git looks for .git.

export const STATE_FILE = join('.weft', 'viz.json');

export interface VizState {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:50750 */
  readonly apiAddr: string;
  /** host:port of the OTLP/gRPC receiver. */
  readonly otlpGrpcAddr: string;
  readonly pid: number;
}

export async function writeState(dir: string, state: VizState): Promise<string> {
  const path = resolve(dir, STATE_FILE);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(state, null, 2)}\n`);
  return path;
}

export async function removeState(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** The nearest state file from `dir` upwards, or undefined. */
export function findState(dir: string): { path: string; state: VizState } | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const path = join(d, STATE_FILE);
    if (existsSync(path)) {
      const state = JSON.parse(readFileSync(path, 'utf8')) as VizState;
      if (typeof state?.apiAddr === 'string') return { path, state };
    }
    if (dirname(d) === d) return undefined;
  }
}
