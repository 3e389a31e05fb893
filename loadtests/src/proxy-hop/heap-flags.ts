import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from '../lib/machine.ts';
import { stopAll } from '../lib/processes.ts';
import { h2load, wrk } from './c-load.ts';
import { CLOSED_S, H2_CLIENTS, H2_STREAMS, OPEN_MS, WRK_CONNECTIONS } from './measure.ts';
import { openLoop } from './open-loop.ts';
import { sampleUse } from './proc-stats.ts';
import { prepare } from './setup.ts';
import { ensureTools } from './tools.ts';
import { startWeftPair } from './weft-pair.ts';

// What V8's young-generation size does to a Weft pair: the proxy-hop bench's
// pair under each NODE_OPTIONS below, in interleaved rounds, each starting
// with another variant, so that the machine's other work falls on every
// variant alike. Prints, per variant,
// the median over rounds of the worse proxy's peak RSS and CPU per 1000
// requests at 1000 req/s (HTTP/1.1 open loop), at wrk's maximum, and at
// h2load's maximum (HTTP/2).
//   node loadtests/src/proxy-hop/heap-flags.ts [rounds]

const VARIANTS = ['', '--max-semi-space-size=2', '--max-semi-space-size=8'];
const ROUNDS = Number(process.argv[2] ?? 3);

interface Sample {
  readonly rssMiB: number;
  readonly cpuMsPer1k: number;
  readonly maxRps: number;
  readonly maxCpuMsPer1k: number;
  readonly h2Rps: number;
  readonly h2RssMiB: number;
  readonly h2CpuMsPer1k: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function one(setup: Parameters<typeof startWeftPair>[0], nodeOptions: string): Promise<Sample> {
  // An empty NODE_OPTIONS replaces the pair's own: Node's defaults.
  const pair = await startWeftPair(setup, { NODE_OPTIONS: nodeOptions });
  try {
    const url = `http://127.0.0.1:${pair.port}/`;
    await wrk(url, 8, 2);
    let stop = sampleUse(pair.pids);
    const open = await openLoop(url, 1000, OPEN_MS);
    const at1k = stop();
    stop = sampleUse(pair.pids);
    const max = await wrk(url, WRK_CONNECTIONS, CLOSED_S);
    const atMax = stop();
    stop = sampleUse(pair.pids);
    const h2 = await h2load(url, 'http2', H2_CLIENTS, H2_STREAMS, CLOSED_S, setup.dir);
    const atH2 = stop();
    return {
      h2Rps: h2.requestsPerSecond,
      h2RssMiB: Math.max(...atH2.map((u) => u.peakRssMiB)),
      h2CpuMsPer1k: Math.max(...atH2.map((u) => (u.cpuSeconds * 1e6) / h2.requests)),
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
    // Each round starts with another variant, so none always runs first.
    for (const variant of [...VARIANTS.slice(round % VARIANTS.length), ...VARIANTS.slice(0, round % VARIANTS.length)]) {
      const sample = await one(setup, variant);
      samples.get(variant)?.push(sample);
      console.error(`round ${round + 1} ${variant || 'Node default'}: ${JSON.stringify(sample)}`);
    }
  }
  console.log(
    `${machine.date}, ${machine.nproc} CPUs ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage.toFixed(2)} at start; median of ${ROUNDS} rounds`,
  );
  console.log(
    '| NODE_OPTIONS | peak RSS at 1000 req/s | CPU per 1000 requests at 1000 req/s | max req/s (wrk) | CPU per 1000 requests at max | HTTP/2 max req/s (h2load) | peak RSS at HTTP/2 max | CPU per 1000 HTTP/2 requests |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [variant, list] of samples) {
    const m = (k: keyof Sample) => median(list.map((s) => s[k]));
    console.log(
      `| ${variant || '(Node default)'} | ${m('rssMiB').toFixed(0)} MiB | ${m('cpuMsPer1k').toFixed(0)} ms | ${m('maxRps').toFixed(0)} | ${m('maxCpuMsPer1k').toFixed(0)} ms | ${m('h2Rps').toFixed(0)} | ${m('h2RssMiB').toFixed(0)} MiB | ${m('h2CpuMsPer1k').toFixed(0)} ms |`,
    );
  }
} finally {
  await stopAll([backend.child]);
  rmSync(dir, { recursive: true, force: true });
}
