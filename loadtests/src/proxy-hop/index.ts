import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bench, BenchContext } from '../bench.ts';
import { writeSection } from '../lib/doc-section.ts';
import { describeMachine } from '../lib/machine.ts';
import { type Started, stopAll } from '../lib/processes.ts';
import { measureH1, measureH2 } from './measure.ts';
import { type NginxPair, startNginxPair } from './nginx.ts';
import { report } from './report.ts';
import { prepare } from './setup.ts';
import { BENCH_TOOLS, ensureTools } from './tools.ts';
import { startWeftPair, type WeftPair } from './weft-pair.ts';

// One mesh hop: client → outbound proxy → mTLS → inbound proxy → backend,
// for the Weft pair and an nginx pair, against direct calls to the same
// backend, all in one run; HTTP/1.1, HTTP/2 and gRPC.

const bench: Bench = {
  name: 'proxy-hop',
  description: `one mesh hop through the Weft mTLS proxy pair and an nginx mTLS pair, against direct calls (needs ${Object.keys(BENCH_TOOLS).join(', ')})`,
  async run(context: BenchContext) {
    const log = context.log;
    ensureTools(log);
    const machine = describeMachine();
    const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
    let backend: Started | undefined;
    const pairs: WeftPair[] = [];
    let nginx: NginxPair | undefined;
    try {
      const prepared = await prepare(context.root, dir);
      backend = prepared.backend;
      const { setup } = prepared;
      const weft = await startWeftPair(setup);
      pairs.push(weft);
      const weftH2 = await startWeftPair(setup, { WEFT_PROXY_OUTBOUND_H1_OVER_H2: 'true' });
      pairs.push(weftH2);
      nginx = await startNginxPair(dir, setup.backendPort, setup.ca, setup.server, setup.client);
      const nginxPids = [nginx.outbound.pid as number, nginx.inbound.pid as number] as const;
      const direct = `http://127.0.0.1:${setup.backendPort}/`;
      const h1 = [
        await measureH1('direct', direct, undefined, log),
        await measureH1('weft', `http://127.0.0.1:${weft.port}/`, weft.pids, log),
        await measureH1('weft h2', `http://127.0.0.1:${weftH2.port}/`, weftH2.pids, log),
        await measureH1('nginx', `http://127.0.0.1:${nginx.outboundPort}/`, nginxPids, log),
      ] as const;
      const h2 = [];
      for (const kind of ['http2', 'grpc'] as const) {
        h2.push([
          await measureH2('direct', kind, direct, undefined, dir, log),
          await measureH2('weft', kind, `http://127.0.0.1:${weft.port}/`, weft.pids, dir, log),
          await measureH2('nginx', kind, `http://127.0.0.1:${nginx.outboundH2Port}/`, nginxPids, dir, log),
        ] as const);
      }
      const markdown = report({ machine, h1, h2 });
      const path = join(context.root, 'docs/benchmarks.md');
      writeSection(path, 'proxy-hop', markdown);
      log(`wrote its section of ${path}`);
      console.log(markdown);
    } finally {
      await Promise.all(pairs.map((pair) => pair.stop()));
      await stopAll([backend?.child, nginx?.outbound, nginx?.inbound].filter((c) => c !== undefined));
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
