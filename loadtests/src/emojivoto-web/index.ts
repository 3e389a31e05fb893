import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMOJIVOTO_ENTRIES } from '@weft/emojivoto-ts';
import type { Bench, BenchContext } from '../bench.ts';
import { type LoadResult, runLoad } from '../lib/http-load.ts';
import { describeMachine, type Machine } from '../lib/machine.ts';
import { cpuMillis } from '../lib/proc-cpu.ts';
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
  /** CPU used per request by each server process during the measured interval, in µs. */
  readonly cpuMicrosPerRequest: Readonly<Record<string, number>>;
}

/** The server processes whose CPU is measured, by name. */
type Servers = Record<string, number>;

function cpuPerRequest(servers: Servers, before: Servers, requests: number): Record<string, number> {
  const perRequest: Record<string, number> = {};
  for (const [name, pid] of Object.entries(servers)) {
    perRequest[name] = ((cpuMillis(pid) - (before[name] ?? 0)) * 1000) / Math.max(1, requests);
  }
  return perRequest;
}

function snapshot(servers: Servers): Servers {
  return Object.fromEntries(Object.entries(servers).map(([name, pid]) => [name, cpuMillis(pid)]));
}

function cpuCell(row: Row): string {
  return Object.entries(row.cpuMicrosPerRequest)
    .filter(([, micros]) => micros >= 1)
    .map(([name, micros]) => `${name} ${Math.round(micros)}`)
    .join(', ');
}

async function startEmojivoto(children: ChildProcess[], servers: Servers): Promise<string> {
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
  Object.assign(servers, { web: web.child.pid, emoji: emoji.child.pid, voting: voting.child.pid });
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
      `| ${r.name} | ${r.what} | ${Math.round(r.result.requestsPerSecond)} | ${(r.result.requestsPerSecond / baseline).toFixed(2)} | ${r.result.p50Ms.toFixed(2)} | ${r.result.p99Ms.toFixed(2)} | ${(okShare(r.result) * 100).toFixed(1)} % | ${cpuCell(r)} |`,
  );
  for (const r of rows) {
    context.log(
      `${r.name}: ${Math.round(r.result.requestsPerSecond)} req/s (${(r.result.requestsPerSecond / baseline).toFixed(2)}× baseline), p50 ${r.result.p50Ms.toFixed(2)} ms, p99 ${r.result.p99Ms.toFixed(2)} ms, ${(okShare(r.result) * 100).toFixed(1)} % 200; CPU µs/request: ${cpuCell(r)}`,
    );
  }
  return `# Benchmark: emojivoto web over its gRPC services

Written by \`npm run bench -- emojivoto-web\` (loadtests/src/emojivoto-web/). Do not edit by hand; rerun it.

- Date: ${machine.date}
- Machine: ${machine.nproc} CPUs (\`nproc\`), ${machine.cpuModel}; Node ${machine.node}; 1-minute load average
  ${machine.loadAverage.toFixed(2)} when the run started (other work on the machine lowers req/s)
- Load: closed loop, ${CONNECTIONS} keep-alive HTTP/1.1 connections from one Node process on the same machine,
  ${WARMUP_MS / 1000} s warm-up then ${MEASURE_MS / 1000} s measured per row; emoji-svc, voting-svc and web each in
  their own process, unmeshed, tracing export off.
- Baseline: the same 99-entry JSON body from a bare \`node:http\` server (no framework, no gRPC), measured in the
  same run, so the ratio shows what Fastify plus the gRPC hop cost.

| scenario | what one request does | req/s | × baseline | p50 ms | p99 ms | HTTP 200 | server CPU µs/request |
|---|---|---:|---:|---:|---:|---:|---|
${table.join('\n')}

Target: at least ${TARGET_LIST_RPS} req/s for /api/list on this machine: **${list >= TARGET_LIST_RPS ? 'met' : 'not met'}** (${Math.round(list)} req/s).
The load generator shares the ${machine.nproc} CPUs with the server processes (and with whatever else runs on the
machine), so requests per second are a floor for what web can do on a dedicated core. CPU per request (user +
system time from /proc during the measured interval, divided by requests) is steadier: it does not grow when other
work steals cycles. One core at ${Math.round(rows.find((r) => r.name === 'web /api/list')?.cpuMicrosPerRequest.web ?? 0)} µs of web CPU per /api/list request
would serve about ${Math.round(1e6 / Math.max(1, rows.find((r) => r.name === 'web /api/list')?.cpuMicrosPerRequest.web ?? 1))} requests per second.
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
      const servers: Servers = { baseline: baseline.child.pid as number };
      const web = await startEmojivoto(children, servers);
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
        const before = snapshot(servers);
        const result = await runLoad({
          connections: CONNECTIONS,
          durationMs: MEASURE_MS,
          url: scenario.url,
          maxRequests: MAX_REQUESTS,
        });
        rows.push({ ...scenario, result, cpuMicrosPerRequest: cpuPerRequest(servers, before, result.requests) });
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
