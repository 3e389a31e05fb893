import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMOJIVOTO_ENTRIES } from '@weft/emojivoto-ts';
import type { Bench, BenchContext } from '../bench.ts';
import { type LoadResult, runLoad } from '../lib/http-load.ts';
import { describeMachine, type Machine } from '../lib/machine.ts';
import { startNode, stopAll } from '../lib/processes.ts';

const CONNECTIONS = 32;
const WARMUP_MS = 2000;
const MEASURE_MS = 8000;
// Bounds every run even if the clock misbehaves: far above what 8 s can reach here.
const MAX_REQUESTS = 400_000;
const TARGET_LIST_RPS = 3000;

interface Scenario {
  readonly name: string;
  readonly what: string;
  readonly url: string;
}

interface Row extends Scenario {
  readonly result: LoadResult;
}

async function startEmojivoto(children: ChildProcess[]): Promise<string> {
  const emoji = await startNode(EMOJIVOTO_ENTRIES.emoji, [], { GRPC_PORT: '0' }, /listening on port (\d+)/);
  children.push(emoji.child);
  const voting = await startNode(EMOJIVOTO_ENTRIES.voting, [], { GRPC_PORT: '0' }, /listening on port (\d+)/);
  children.push(voting.child);
  const web = await startNode(
    EMOJIVOTO_ENTRIES.web,
    [],
    { WEB_PORT: '0', EMOJISVC_HOST: `127.0.0.1:${emoji.captured}`, VOTINGSVC_HOST: `127.0.0.1:${voting.captured}` },
    /web: listening on port (\d+)/,
  );
  children.push(web.child);
  return `http://127.0.0.1:${web.captured}`;
}

function okShare(result: LoadResult): number {
  return (result.statuses.get(200) ?? 0) / Math.max(1, result.requests);
}

function report(rows: readonly Row[], machine: Machine, context: BenchContext): string {
  const baseline = rows[0]?.result.requestsPerSecond ?? Number.NaN;
  const list = rows.find((r) => r.name === 'web /api/list')?.result.requestsPerSecond ?? 0;
  const table = rows.map(
    (r) =>
      `| ${r.name} | ${r.what} | ${Math.round(r.result.requestsPerSecond)} | ${(r.result.requestsPerSecond / baseline).toFixed(2)} | ${r.result.p50Ms.toFixed(2)} | ${r.result.p99Ms.toFixed(2)} | ${(okShare(r.result) * 100).toFixed(1)} % |`,
  );
  for (const r of rows) {
    context.log(
      `${r.name}: ${Math.round(r.result.requestsPerSecond)} req/s (${(r.result.requestsPerSecond / baseline).toFixed(2)}× baseline), p50 ${r.result.p50Ms.toFixed(2)} ms, p99 ${r.result.p99Ms.toFixed(2)} ms, ${(okShare(r.result) * 100).toFixed(1)} % 200`,
    );
  }
  return `# Benchmark: emojivoto web over its gRPC services

Written by \`npm run bench -- emojivoto-web\` (loadtests/src/emojivoto-web/). Do not edit by hand; rerun it.

- Date: ${machine.date}
- Machine: ${machine.nproc} CPUs (\`nproc\`), ${machine.cpuModel}; Node ${machine.node}
- Load: closed loop, ${CONNECTIONS} keep-alive HTTP/1.1 connections from one Node process on the same machine,
  ${WARMUP_MS / 1000} s warm-up then ${MEASURE_MS / 1000} s measured per row; emoji-svc, voting-svc and web each in
  their own process, unmeshed, tracing export off.
- Baseline: the same 99-entry JSON body from a bare \`node:http\` server (no framework, no gRPC), measured in the
  same run, so the ratio shows what Fastify plus the gRPC hop cost.

| scenario | what one request does | req/s | × baseline | p50 ms | p99 ms | HTTP 200 |
|---|---|---:|---:|---:|---:|---:|
${table.join('\n')}

Target: at least ${TARGET_LIST_RPS} req/s for /api/list on this machine: **${list >= TARGET_LIST_RPS ? 'met' : 'not met'}** (${Math.round(list)} req/s).
The load generator shares the ${machine.nproc} CPUs with the four server processes, so these figures are a floor
for what web can do on a dedicated core.
`;
}

const bench: Bench = {
  name: 'emojivoto-web',
  description: "web's /api/list and /api/vote through to emoji-svc and voting-svc, against a bare node:http baseline",
  async run(context) {
    const children: ChildProcess[] = [];
    const machine = describeMachine();
    try {
      const baseline = await startNode(
        new URL('./static-list-server.ts', import.meta.url).pathname,
        [],
        {},
        /baseline listening on port (\d+)/,
      );
      children.push(baseline.child);
      const web = await startEmojivoto(children);
      const scenarios: Scenario[] = [
        { name: 'baseline', what: 'static JSON from node:http', url: `http://127.0.0.1:${baseline.captured}/` },
        { name: 'web /api/list', what: 'Fastify + 1 gRPC call (ListAll)', url: `${web}/api/list` },
        {
          name: 'web /api/vote',
          what: 'Fastify + 2 gRPC calls (FindByShortcode, VoteJoy)',
          url: `${web}/api/vote?choice=:joy:`,
        },
      ];
      const rows: Row[] = [];
      for (const scenario of scenarios) {
        context.log(`${scenario.name}: warming up`);
        await runLoad({
          connections: CONNECTIONS,
          durationMs: WARMUP_MS,
          url: scenario.url,
          maxRequests: MAX_REQUESTS,
        });
        context.log(`${scenario.name}: measuring for ${MEASURE_MS / 1000} s`);
        const result = await runLoad({
          connections: CONNECTIONS,
          durationMs: MEASURE_MS,
          url: scenario.url,
          maxRequests: MAX_REQUESTS,
        });
        rows.push({ ...scenario, result });
      }
      const markdown = report(rows, machine, context);
      const path = join(context.root, 'docs/benchmarks-emojivoto.md');
      writeFileSync(path, markdown);
      context.log(`wrote ${path}`);
    } finally {
      await stopAll(children);
    }
  },
};

export default bench;
