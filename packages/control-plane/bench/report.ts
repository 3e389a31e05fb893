import { readFile, writeFile } from 'node:fs/promises';

export interface ProcStats {
  cpuSeconds: number;
  rssMb: number;
  peakRssMb: number;
  /** V8 heap in use, from the control plane's /metrics. */
  heapMb: number;
}

/** CPU time and memory of another process, from /proc (Linux). */
export async function procStats(pid: number, adminPort: number): Promise<ProcStats> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), in clock ticks of 1/100 s.
  const cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100;
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const heap = Number(/^nodejs_heap_used_bytes (\d+)/m.exec(metrics)?.[1] ?? Number.NaN);
  return { cpuSeconds, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024, heapMb: heap / 1048576 };
}

export function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const mb = (n: number) => `${n.toFixed(0)} MB`;

interface Run {
  samples: number[];
  p50: number;
  p99: number;
  max: number;
  cpuPercent: number;
  rssMb: number;
}

export async function writeReport(
  path: string,
  f: {
    machine: { date: string; nproc: string; cpu: string; node: string; loadAverage: string; flags: string };
    endpoints: number;
    services: number;
    watchers: number;
    loadMs: number;
    afterLoad: ProcStats;
    subscribed: ProcStats;
    baseline: { p50: number; p99: number };
    spread: Run;
    fanout: Run;
    peakRssMb: number;
  },
): Promise<void> {
  const text = `# Control plane scale benchmark

Measured ${f.machine.date} on ${f.machine.nproc} cores (${f.machine.cpu}), Node ${f.machine.node};
load average at the end ${f.machine.loadAverage} (the machine is shared, so figures move between runs).
Command: \`pnpm --filter @weft/control-plane bench\` (packages/control-plane/bench/scale.ts); it rewrites this file.

Setup: ${f.endpoints} endpoints (EndpointSlices and meshed Pods) over ${f.services} Services, served by
the fake Kubernetes API server of the tests over HTTP (list + \`?watch=1\` streams). The control
plane runs as its own process (\`node ${f.machine.flags} src/main.ts\`, \`WEFT_CP_BACKEND=k8s\`), as
\`pnpm start\` runs it; the watchers are
grpc-js clients on loopback in the benchmark process, over 20 HTTP/2 connections. An endpoint
change is one EndpointSlice update (one address out, one in) plus the new Pod, sent as watch
events; latency is from sending the event to the watcher(s) holding the new address (or a later
one: a stream that falls behind is sent one diff to the newest state, not every step). The
watchers find the address in the raw bytes of each \`add\` instead of decoding it, because they
share the machine's two cores with the control plane and stand in for proxies on other machines.

Baseline (same run): the API server's own watch stream read directly, no control plane:
p50 ${ms(f.baseline.p50)}, p99 ${ms(f.baseline.p99)}.

| Scenario | Changes | p50 | p99 | max | p99 / baseline p99 | CP CPU during run | CP RSS after |
|---|---|---|---|---|---|---|---|
| spread: ${f.watchers} watchers, one per Service; each change awaited by its watcher | ${f.spread.samples.length} (one per 10 ms) | ${ms(f.spread.p50)} | ${ms(f.spread.p99)} | ${ms(f.spread.max)} | ${(f.spread.p99 / f.baseline.p99).toFixed(1)}× | ${f.spread.cpuPercent.toFixed(0)} % | ${mb(f.spread.rssMb)} |
| fan-out: ${f.watchers} more watchers on one Service; each change awaited by all ${f.watchers + 1} | ${f.fanout.samples.length} (one per 50 ms) | ${ms(f.fanout.p50)} | ${ms(f.fanout.p99)} | ${ms(f.fanout.max)} | ${(f.fanout.p99 / f.baseline.p99).toFixed(1)}× | ${f.fanout.cpuPercent.toFixed(0)} % | ${mb(f.fanout.rssMb)} |

Memory and CPU of the control plane process:

- initial list of all ${f.endpoints} endpoints until /ready: ${ms(f.loadMs)}; RSS ${mb(f.afterLoad.rssMb)} (V8 heap ${mb(f.afterLoad.heapMb)}), CPU ${f.afterLoad.cpuSeconds.toFixed(2)} s since start
- with ${f.watchers} Get streams open: RSS ${mb(f.subscribed.rssMb)} (V8 heap ${mb(f.subscribed.heapMb)})
- peak RSS over the whole run (VmHWM): ${mb(f.peakRssMb)}

Targets: p99 under 100 ms and memory under 300 MB.
`;
  await writeFile(path, text);
}
