import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bench, BenchContext } from '../bench.ts';
import { runLoad } from '../lib/http-load.ts';
import { describeMachine, type Machine } from '../lib/machine.ts';
import { startNode, stopAll } from '../lib/processes.ts';
import { makeCa, makeLeaf } from './certs.ts';
import { startNginxPair } from './nginx.ts';
import { type OpenLoopResult, openLoop } from './open-loop.ts';
import { cpuSeconds, rssBytes } from './proc-stats.ts';

// One mesh hop: client → outbound proxy → mTLS → inbound proxy → backend,
// for the Weft pair and an nginx pair, against direct calls to the same
// backend, all in one run.

const RATES = [500, 1000, 2000];
const OPEN_MS = 5000;
const CLOSED_MS = 5000;
const CONNECTIONS = 32;
const AUTHORITY = 'bench-svc.bench.svc.cluster.local:80';
const SERVER_ID = 'bench-server.bench.serviceaccount.identity.weft-system.cluster.local';
const CLIENT_ID = 'bench-client.bench.serviceaccount.identity.weft-system.cluster.local';

interface ProxyUse {
  readonly rssMb: number;
  /** vCPU used per 1000 requests/s, during the 1000 requests/s phase. */
  readonly vcpuPer1k: number;
}

interface Arm {
  readonly name: string;
  readonly open: OpenLoopResult[];
  readonly maxRps: number;
  readonly proxies: { readonly outbound: ProxyUse; readonly inbound: ProxyUse } | undefined;
}

async function measure(
  name: string,
  url: string,
  pids: [number, number] | undefined,
  log: (l: string) => void,
): Promise<Arm> {
  log(`${name}: warming up`);
  await runLoad({ connections: 8, durationMs: 2000, url, maxRequests: 200_000 });
  const open: OpenLoopResult[] = [];
  let proxies: Arm['proxies'];
  for (const rate of RATES) {
    const cpu0 = pids?.map(cpuSeconds);
    let peak = [0, 0];
    const sampler = setInterval(() => {
      if (pids) peak = pids.map((p, i) => Math.max(peak[i] as number, rssBytes(p)));
    }, 200);
    const r = await openLoop(url, rate, OPEN_MS);
    clearInterval(sampler);
    open.push(r);
    log(
      `${name}: ${rate} req/s open loop: p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.ok}/${r.sent} ok`,
    );
    if (pids && cpu0 && rate === 1000) {
      const use = pids.map((p, i) => ({
        rssMb: (peak[i] as number) / 2 ** 20,
        vcpuPer1k: (cpuSeconds(p) - (cpu0[i] as number)) / (OPEN_MS / 1000) / (rate / 1000),
      }));
      proxies = { outbound: use[0] as ProxyUse, inbound: use[1] as ProxyUse };
    }
  }
  const closed = await runLoad({ connections: CONNECTIONS, durationMs: CLOSED_MS, url, maxRequests: 1_000_000 });
  log(`${name}: closed loop max ${Math.round(closed.requestsPerSecond)} req/s`);
  return { name, open, maxRps: closed.requestsPerSecond, proxies };
}

function report(arms: Arm[], machine: Machine): string {
  const [direct, weft, weftH2, nginx] = arms as [Arm, Arm, Arm, Arm];
  const added = (arm: Arm, i: number, k: 'p50Ms' | 'p99Ms') => (arm.open[i]?.[k] ?? 0) - (direct.open[i]?.[k] ?? 0);
  const cell = (arm: Arm, i: number) => `+${added(arm, i, 'p50Ms').toFixed(2)} / +${added(arm, i, 'p99Ms').toFixed(2)}`;
  const rows = RATES.map(
    (rate, i) =>
      `| ${rate} | ${direct.open[i]?.p50Ms.toFixed(2)} / ${direct.open[i]?.p99Ms.toFixed(2)} | ${cell(weft, i)} | ${cell(weftH2, i)} | ${cell(nginx, i)} |`,
  );
  const use = (arm: Arm) =>
    arm.proxies
      ? `outbound ${arm.proxies.outbound.rssMb.toFixed(0)} MB, ${arm.proxies.outbound.vcpuPer1k.toFixed(3)} vCPU; inbound ${arm.proxies.inbound.rssMb.toFixed(0)} MB, ${arm.proxies.inbound.vcpuPer1k.toFixed(3)} vCPU`
      : '';
  const i1k = RATES.indexOf(1000);
  const p50Ratio = added(weft, i1k, 'p50Ms') / Math.max(0.001, added(nginx, i1k, 'p50Ms'));
  const maxRatio = weft.maxRps / nginx.maxRps;
  const w = weft.proxies as NonNullable<Arm['proxies']>;
  const worstRss = Math.max(w.outbound.rssMb, w.inbound.rssMb);
  const worstCpu = Math.max(w.outbound.vcpuPer1k, w.inbound.vcpuPer1k);
  const verdict = (ok: boolean) => (ok ? 'met' : 'missed');
  return `# Benchmark: one mesh hop

Written by \`pnpm bench -- proxy-hop\` (loadtests/src/proxy-hop/). Do not edit by hand; rerun it.

- Date: ${machine.date}
- Machine: ${machine.nproc} CPUs, ${machine.cpuModel}; Node ${machine.node}; load average ${machine.loadAverage.toFixed(2)} at start
  (other work shares the machine; compare arms of one run, not runs).
- Path: Node load generator → outbound proxy → mTLS (TLS 1.3, ECDSA P-256) → inbound proxy → node:http backend
  (26-byte JSON), all on loopback. Weft: \`node packages/proxy/src/main.ts\` (with \`NODE_COMPILE_CACHE\`),
  discovery from a destination server, certificates from files. "Weft" carries HTTP/1 between the proxies as a
  keep-alive HTTP/1.1 pool (the default); "Weft h2" upgrades it onto one HTTP/2 session
  (\`WEFT_PROXY_OUTBOUND_H1_OVER_H2=true\`). nginx: two \`nginx\` processes, one worker each, keep-alive upstream
  pools, same certificates.
- Open loop: ${OPEN_MS / 1000} s per rate, latency from when each request was due. Closed loop: ${CONNECTIONS} keep-alive connections, ${CLOSED_MS / 1000} s.
- The load generator and both proxies share the ${machine.nproc} CPUs.

## Latency added to direct calls (ms, p50 / p99)

| req/s | direct p50 / p99 | Weft pair added | Weft h2 pair added | nginx pair added |
|---:|---|---|---|---|
${rows.join('\n')}

## Throughput and cost

| arm | max req/s (closed loop) | per proxy at 1000 req/s (peak RSS, vCPU per 1000 req/s) |
|---|---:|---|
| direct | ${Math.round(direct.maxRps)} | |
| Weft pair | ${Math.round(weft.maxRps)} | ${use(weft)} |
| Weft h2 pair | ${Math.round(weftH2.maxRps)} | ${use(weftH2)} |
| nginx pair | ${Math.round(nginx.maxRps)} | ${use(nginx)} |

## Targets (the default Weft pair against nginx in the same run)

| target | measured | |
|---|---|---|
| added p50 at 1000 req/s ≤ 2× nginx | ${p50Ratio.toFixed(2)}× | ${verdict(p50Ratio <= 2)} |
| max req/s ≥ 40 % of nginx | ${(maxRatio * 100).toFixed(0)} % | ${verdict(maxRatio >= 0.4)} |
| RSS ≤ 70 MB per proxy | ${worstRss.toFixed(0)} MB | ${verdict(worstRss <= 70)} |
| ≤ 0.2 vCPU per 1000 req/s per proxy | ${worstCpu.toFixed(3)} | ${verdict(worstCpu <= 0.2)} |
`;
}

const bench: Bench = {
  name: 'proxy-hop',
  description: 'one mesh hop through the Weft mTLS proxy pair and an nginx mTLS pair, against direct calls',
  async run(context: BenchContext) {
    const machine = describeMachine();
    const children: ChildProcess[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
    const log = context.log;
    try {
      execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    } catch {
      log('installing nginx (apt-get)');
      execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore' });
      execFileSync('apt-get', ['install', '-y', '-q', 'nginx-light'], { stdio: 'ignore' });
    }
    try {
      const ca = makeCa(dir);
      const server = makeLeaf(dir, 'server', SERVER_ID);
      const client = makeLeaf(dir, 'client', CLIENT_ID);
      const caPem = execFileSync('cat', [ca], { encoding: 'utf8' });
      const backend = await startNode(
        new URL('./backend.ts', import.meta.url).pathname,
        [],
        {},
        /backend listening on port (\d+)/,
      );
      children.push(backend.child);
      const main = join(context.root, 'packages/proxy/src/main.ts');
      // As a deployment should run it (docs/proxy.md): the compile cache spares each start the
      // TypeScript stripper's memory.
      const proxyEnv = (leaf: typeof server) => ({
        NODE_COMPILE_CACHE: join(dir, 'compile-cache'),
        WEFT_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_IDENTITY_LOCAL_NAME: leaf.identity,
        WEFT_PROXY_IDENTITY_TRUST_ANCHORS: caPem,
        WEFT_PROXY_IDENTITY_CERT_FILE: leaf.cert,
        WEFT_PROXY_IDENTITY_KEY_FILE: leaf.key,
      });
      // Fills the compile cache: loads every module, then stops on a bad setting.
      spawnSync(process.execPath, [main], {
        env: { NODE_COMPILE_CACHE: join(dir, 'compile-cache'), WEFT_PROXY_CONNECT_TIMEOUT: 'warm-up' },
        stdio: 'ignore',
      });
      const inbound = await startNode(
        main,
        [],
        { ...proxyEnv(server), WEFT_PROXY_INBOUND_FORWARD_ADDR: `127.0.0.1:${backend.captured}` },
        /"inbound":(\d+)/,
      );
      children.push(inbound.child);
      const destination = await startNode(
        join(context.root, 'packages/proxy/bench/destination.ts'),
        [],
        { WEFT_BENCH_AUTHORITY: AUTHORITY, WEFT_BENCH_ENDPOINTS: `127.0.0.1:${inbound.captured}=${SERVER_ID}` },
        /destination listening on port (\d+)/,
      );
      children.push(destination.child);
      const outbound = await startNode(
        main,
        [],
        {
          ...proxyEnv(client),
          WEFT_PROXY_DESTINATION_ADDR: `127.0.0.1:${destination.captured}`,
          // The benchmark's stand-in destination serves plaintext; discovery is not what is measured.
          WEFT_PROXY_CONTROL_PLANE_PLAINTEXT: 'true',
          WEFT_PROXY_OUTBOUND_UPSTREAMS: `${AUTHORITY}=127.0.0.1:0`,
        },
        /"upstreams":\{"[^"]+":(\d+)\}/,
      );
      children.push(outbound.child);
      const outboundH2 = await startNode(
        main,
        [],
        {
          ...proxyEnv(client),
          WEFT_PROXY_DESTINATION_ADDR: `127.0.0.1:${destination.captured}`,
          // The benchmark's stand-in destination serves plaintext; discovery is not what is measured.
          WEFT_PROXY_CONTROL_PLANE_PLAINTEXT: 'true',
          WEFT_PROXY_OUTBOUND_UPSTREAMS: `${AUTHORITY}=127.0.0.1:0`,
          WEFT_PROXY_OUTBOUND_H1_OVER_H2: 'true',
        },
        /"upstreams":\{"[^"]+":(\d+)\}/,
      );
      children.push(outboundH2.child);
      const nginx = await startNginxPair(dir, Number(backend.captured), ca, server, client);
      children.push(nginx.outbound, nginx.inbound);
      const pid = (c: ChildProcess) => c.pid as number;
      const arms = [
        await measure('direct', `http://127.0.0.1:${backend.captured}/`, undefined, log),
        await measure('weft', `http://127.0.0.1:${outbound.captured}/`, [pid(outbound.child), pid(inbound.child)], log),
        await measure(
          'weft h2',
          `http://127.0.0.1:${outboundH2.captured}/`,
          [pid(outboundH2.child), pid(inbound.child)],
          log,
        ),
        await measure(
          'nginx',
          `http://127.0.0.1:${nginx.outboundPort}/`,
          [pid(nginx.outbound), pid(nginx.inbound)],
          log,
        ),
      ];
      const markdown = report(arms, machine);
      const path = join(context.root, 'docs/benchmarks.md');
      writeFileSync(path, markdown);
      log(`wrote ${path}`);
      console.log(markdown);
    } finally {
      await stopAll(children);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
