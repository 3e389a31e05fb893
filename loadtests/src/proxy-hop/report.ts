import type { Machine } from '../lib/machine.ts';
import {
  CLOSED_S,
  type H1Arm,
  H2_CLIENTS,
  H2_STREAMS,
  type H2Arm,
  OPEN_MS,
  type Pair,
  type ProxyUse,
  RATES,
  WRK_CONNECTIONS,
} from './measure.ts';
import { PROXY_NODE_OPTIONS } from './weft-pair.ts';

// The section of docs/benchmarks.md this bench owns: every figure beside
// nginx's from the same run, and each target judged by its ratio.

export interface Results {
  readonly machine: Machine;
  /** direct, Weft, Weft with HTTP/1 over HTTP/2 between the proxies, nginx. */
  readonly h1: readonly [H1Arm, H1Arm, H1Arm, H1Arm];
  /** direct, Weft, nginx, for HTTP/2 then gRPC. */
  readonly h2: readonly (readonly [H2Arm, H2Arm, H2Arm])[];
}

const I_1K = RATES.indexOf(1000);
const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
/** Added latency can be negative when the arm's run was the quieter one. */
const signed = (n: number) => (n < 0 ? fixed(n, 2) : `+${fixed(n, 2)}`);
const verdict = (ok: boolean) => (ok ? 'met' : 'missed');
const worst = (pair: Pair<ProxyUse> | undefined, k: keyof ProxyUse) =>
  pair ? Math.max(pair.outbound[k], pair.inbound[k]) : Number.NaN;
const use = (pair: Pair<ProxyUse> | undefined) =>
  pair
    ? `out ${fixed(pair.outbound.peakRssMiB, 0)} MiB, ${fixed(pair.outbound.cpuMsPer1k, 0)} ms; in ${fixed(pair.inbound.peakRssMiB, 0)} MiB, ${fixed(pair.inbound.cpuMsPer1k, 0)} ms`
    : '';

function added(arm: H1Arm, direct: H1Arm, i: number, k: 'p50Ms' | 'p99Ms'): number {
  return (arm.open[i]?.[k] ?? Number.NaN) - (direct.open[i]?.[k] ?? Number.NaN);
}

function latencyRows(r: Results): string[] {
  const [direct, ...meshed] = r.h1;
  return RATES.map((rate, i) => {
    const cells = meshed.map(
      (a) => `${signed(added(a, direct, i, 'p50Ms'))} / ${signed(added(a, direct, i, 'p99Ms'))}`,
    );
    return `| ${rate} | ${fixed(direct.open[i]?.p50Ms ?? Number.NaN, 2)} / ${fixed(direct.open[i]?.p99Ms ?? Number.NaN, 2)} | ${cells.join(' | ')} |`;
  });
}

function targetRows(r: Results): string[] {
  const [direct, weft, , nginx] = r.h1;
  const row = (target: string, w: number, n: number, unit: string, ok: boolean, digits = 0) =>
    `| ${target} | ${fixed(w, digits)}${unit} | ${fixed(n, digits)}${unit} | ${fixed(w / n, 2)}× | ${verdict(ok)} |`;
  const p50W = added(weft, direct, I_1K, 'p50Ms');
  const p50N = Math.max(0.001, added(nginx, direct, I_1K, 'p50Ms'));
  const rssW = worst(weft.at1k, 'peakRssMiB');
  const cpuW = worst(weft.at1k, 'cpuMsPer1k');
  return [
    row('added p50 at 1000 req/s ≤ 2× nginx', p50W, p50N, ' ms', p50W / p50N <= 2, 2),
    row(
      'max req/s (wrk) ≥ 40 % of nginx',
      weft.max.requestsPerSecond,
      nginx.max.requestsPerSecond,
      '',
      weft.max.requestsPerSecond >= 0.4 * nginx.max.requestsPerSecond,
    ),
    row('RSS ≤ 70 MiB per proxy at 1000 req/s', rssW, worst(nginx.at1k, 'peakRssMiB'), ' MiB', rssW <= 70),
    row(
      'CPU ≤ 200 ms per 1000 requests per proxy at 1000 req/s',
      cpuW,
      worst(nginx.at1k, 'cpuMsPer1k'),
      ' ms',
      cpuW <= 200,
    ),
  ];
}

function h2Rows(r: Results): string[] {
  return r.h2.map(([direct, weft, nginx]) => {
    const ratio = weft.max.requestsPerSecond / nginx.max.requestsPerSecond;
    const rps = (a: H2Arm) => `${Math.round(a.max.requestsPerSecond)} (${fixed(a.max.meanMs, 2)} ms)`;
    return `| ${weft.kind === 'grpc' ? 'gRPC unary' : 'HTTP/2 GET'} | ${rps(direct)} | ${rps(weft)} | ${rps(nginx)} | ${fixed(ratio * 100, 0)} % (${verdict(ratio >= 0.4)}) | ${use(weft.atMax)} | ${use(nginx.atMax)} | ${weft.max.failed} / ${nginx.max.failed} |`;
  });
}

export function report(r: Results): string {
  const m = r.machine;
  const [direct, weft, weftH2, nginx] = r.h1;
  const h1Row = (label: string, a: H1Arm) =>
    `| ${label} | ${Math.round(a.max.requestsPerSecond)} | ${a.max.failed} | ${use(a.at1k)} | ${use(a.atMax)} |`;
  return `## One mesh hop

Written by \`pnpm bench -- proxy-hop\` (loadtests/src/proxy-hop/). Do not edit by hand; rerun it.

- Date: ${m.date}
- Machine: ${m.nproc} CPUs, ${m.cpuModel}; Node ${m.node}; load average ${m.loadAverage.toFixed(2)} at start
  (other work shares the machine; compare arms of one run, not runs).
- Path: load → outbound proxy → mTLS (TLS 1.3, ECDSA P-256) → inbound proxy → node:http / node:http2 backend
  (26-byte JSON, or one gRPC message), all on loopback. Weft: \`node packages/proxy/src/main.ts\` (with
  \`NODE_COMPILE_CACHE\` and \`${PROXY_NODE_OPTIONS}\`, as deployed), discovery from a destination server, certificates
  from files. "Weft" carries HTTP/1 between the proxies as a keep-alive HTTP/1.1 pool (the default); "Weft h2"
  upgrades it onto one HTTP/2 session (\`WEFT_PROXY_OUTBOUND_H1_OVER_H2=true\`). nginx: two \`nginx\` processes, one worker each, keep-alive upstream
  pools, same certificates; HTTP/2 and gRPC through \`grpc_pass\` (HTTP/2 on every leg).
- Latency: Node open-loop generator, ${OPEN_MS / 1000} s per rate, latency from when each request was due.
  Maximum: \`wrk -t1 -c${WRK_CONNECTIONS} -d${CLOSED_S}s\` (HTTP/1.1), \`h2load -c${H2_CLIENTS} -m${H2_STREAMS} -D${CLOSED_S}\`
  (h2c into the outbound side, HTTP/2 and gRPC), both closed loop.
- Memory is peak RSS; CPU is user + system time per 1000 requests that went through. The load generator,
  both proxies and the backend share the ${m.nproc} CPUs.

### Targets (the default Weft pair against nginx in the same run)

| target | Weft | nginx | Weft / nginx | |
|---|---:|---:|---:|---|
${targetRows(r).join('\n')}

RSS and CPU are the worse of the two proxies of each pair.

### Latency added to direct calls (ms, p50 / p99)

| req/s | direct p50 / p99 | Weft pair added | Weft h2 pair added | nginx pair added |
|---:|---|---|---|---|
${latencyRows(r).join('\n')}

### HTTP/1.1 throughput and cost

| arm | max req/s (wrk) | failed | per proxy at 1000 req/s (peak RSS, CPU per 1000 requests) | per proxy at max |
|---|---:|---:|---|---|
${h1Row('direct', direct)}
${h1Row('Weft pair', weft)}
${h1Row('Weft h2 pair', weftH2)}
${h1Row('nginx pair', nginx)}

### HTTP/2 and gRPC (h2load, reported beside the targets)

| traffic | direct req/s (mean) | Weft pair | nginx pair | Weft / nginx (≥ 40 %) | Weft per proxy at max | nginx per proxy at max | failed Weft / nginx |
|---|---:|---:|---:|---|---|---|---|
${h2Rows(r).join('\n')}
`;
}
