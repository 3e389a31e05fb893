import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from '../lib/machine.ts';
import { stopAll } from '../lib/processes.ts';
import { wrk } from './c-load.ts';
import { CLOSED_S, OPEN_MS, WRK_CONNECTIONS } from './measure.ts';
import { openLoop } from './open-loop.ts';
import { sampleUse } from './proc-stats.ts';
import { prepare } from './setup.ts';
import { ensureTools } from './tools.ts';
import { startWeftPair } from './weft-pair.ts';

// What V8's young-generation size does to a Weft pair: the proxy-hop bench's
// HTTP/1.1 pair under each NODE_OPTIONS below, in interleaved rounds so
// that the machine's other work falls on every variant alike. Prints, per
// variant, the median over rounds of the worse proxy's peak RSS and CPU per
// 1000 requests at 1000 req/s (open loop), and of wrk's maximum.
//   node loadtests/src/proxy-hop/heap-flags.ts [rounds]

const VARIANTS = ['', '--max-semi-space-size=1', '--max-semi-space-size=2', '--max-semi-space-size=4'];
const ROUNDS = Number(process.argv[2] ?? 3);

interface Sample {
  readonly rssMiB: number;
  readonly cpuMsPer1k: number;
  readonly maxRps: number;
  readonly maxCpuMsPer1k: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function one(setup: Parameters<typeof startWeftPair>[0], nodeOptions: string): Promise<Sample> {
  const pair = await startWeftPair(setup, nodeOptions ? { NODE_OPTIONS: nodeOptions } : {});
  try {
    const url = `http://127.0.0.1:${pair.port}/`;
    await wrk(url, 8, 2);
    let stop = sampleUse(pair.pids);
    const open = await openLoop(url, 1000, OPEN_MS);
    const at1k = stop();
    stop = sampleUse(pair.pids);
    const max = await wrk(url, WRK_CONNECTIONS, CLOSED_S);
    const atMax = stop();
    return {
      rssMiB: Math.max(...at1k.map((u) => u.peakRssMiB)),
      cpuMsPer1k: Math.max(...at1k.map((u) => (u.cpuSeconds * 1e6) / open.sent)),
      maxRps: max.requestsPerSecond,
      maxCpuMsPer1k: Math.max(...atMax.map((u) => (u.cpuSeconds * 1e6) / max.requests)),
    };
  } finally {
    await pair.stop();
  }
}

ensureTools(console.error);
const machine = describeMachine();
const dir = mkdtempSync(join(tmpdir(), 'weft-heap-flags-'));
const { setup, backend } = await prepare(fileURLToPath(new URL('../../../', import.meta.url)), dir);
try {
  const samples = new Map<string, Sample[]>(VARIANTS.map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of VARIANTS) {
      const sample = await one(setup, variant);
      samples.get(variant)?.push(sample);
      console.error(`round ${round + 1} ${variant || 'default'}: ${JSON.stringify(sample)}`);
    }
  }
  console.log(
    `${machine.date}, ${machine.nproc} CPUs ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage.toFixed(2)} at start; median of ${ROUNDS} rounds`,
  );
  console.log(
    '| NODE_OPTIONS | peak RSS at 1000 req/s | CPU per 1000 requests at 1000 req/s | max req/s (wrk) | CPU per 1000 requests at max |',
  );
  console.log('|---|---:|---:|---:|---:|');
  for (const [variant, list] of samples) {
    const m = (k: keyof Sample) => median(list.map((s) => s[k]));
    console.log(
      `| ${variant || '(default)'} | ${m('rssMiB').toFixed(0)} MiB | ${m('cpuMsPer1k').toFixed(0)} ms | ${m('maxRps').toFixed(0)} | ${m('maxCpuMsPer1k').toFixed(0)} ms |`,
    );
  }
} finally {
  await stopAll([backend.child]);
  rmSync(dir, { recursive: true, force: true });
}
