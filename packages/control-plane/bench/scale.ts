// Scale benchmark: 10 000 endpoints over 1 000 services, 1 000 concurrent Get
// watchers over real gRPC on loopback. The control plane runs as its own
// process on the Kubernetes backend, fed by the fake API server over HTTP, so
// an "endpoint change" travels the production path: watch event → store →
// Get streams. Baseline, measured in the same run: the same change read
// straight from the API server's watch stream, without the control plane.
//
//   pnpm --filter @weft/control-plane bench [-- --no-write]
import { execSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { credentials } from '@grpc/grpc-js';
import { loadDestinationApi } from '@weft/api';
import type { DestinationClient } from '@weft/api/gen/weft/destination/Destination.ts';
import { KIND_PATHS } from '../src/store/k8s/api-paths.ts';
import { FakeApiServer } from '../test/support/fake-api-server.ts';
import { directWatch, endpointSlice, listeningPorts, podOf, SLICES, serviceOf } from './fixtures.ts';
import { procStats, quantile, writeReport } from './report.ts';

const progress = (msg: string) => console.error(`[bench] ${msg}`);
const SERVICES = 1000;
const PER_SERVICE = 10;
const WATCHERS = 1000;
const CHANNELS = 20;
const CHANGES = 300;
const FANOUT_CHANGES = 100;

const api = new FakeApiServer();
api.pageSize = 500;
await api.start();
for (const { path } of KIND_PATHS) api.serve(path);
for (let s = 0; s < SERVICES; s++) {
  api.apply('/api/v1/services', serviceOf(s));
  api.apply(SLICES, endpointSlice(s, PER_SERVICE, 0));
  for (let e = 0; e < PER_SERVICE; e++) api.apply('/api/v1/pods', podOf(s, e, 0));
}

progress('fake API server loaded');
const dir = await mkdtemp(join(tmpdir(), 'weft-bench-'));
const kubeconfig = join(dir, 'kubeconfig');
await writeFile(kubeconfig, api.kubeConfig().exportConfig());
// As `pnpm start` runs it: a smaller young generation keeps the resident set
// near the live set (Node's default lets it grow by some 100 MB under churn).
const CP_NODE_FLAGS = [
  '--max-semi-space-size=8',
  ...(process.env.BENCH_CP_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
];
const child = spawn(process.execPath, [...CP_NODE_FLAGS, 'src/main.ts'], {
  cwd: new URL('..', import.meta.url).pathname,
  env: {
    ...process.env,
    WEFT_CP_BACKEND: 'k8s',
    WEFT_CP_KUBECONFIG: kubeconfig,
    WEFT_CP_LISTEN_ADDR: '127.0.0.1:0',
    WEFT_CP_ADMIN_ADDR: '127.0.0.1:0',
    // The figures below (and in docs/benchmarks-control-plane.md) are of the store and the fan-out,
    // measured in plaintext; bench/watch-flood.ts runs the control plane over mTLS.
    WEFT_CP_PLAINTEXT: 'true',
  },
  stdio: ['ignore', 'ignore', 'pipe'],
});
const ports = await listeningPorts(child);
const pid = child.pid as number;
const t0 = performance.now();
for (;;) {
  const res = await fetch(`http://127.0.0.1:${ports.admin}/ready`).catch(() => undefined);
  if (res?.status === 200) break;
  await new Promise((r) => setTimeout(r, 20));
}
const loadMs = performance.now() - t0;
progress(`control plane ready in ${loadMs.toFixed(0)} ms`);
const afterLoad = await procStats(pid, ports.admin);

const Destination = loadDestinationApi().weft.destination.Destination;
const clients: DestinationClient[] = Array.from(
  { length: CHANNELS },
  (_, i) =>
    new Destination(`127.0.0.1:${ports.grpc}`, credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
      'weft.bench.channel': i,
    }),
);

/** A change not yet held by every watcher that must see it. */
type Pending = { generation: number; start: number; need: number; got: number; done: (ms: number) => void };
const pending = new Map<number, Pending[]>();
type Watcher = { service: number; held: number };
const GET = Destination.service.Get;
const ADD_TAG = 0x0a; // Update.add is field 1, length-delimited
const NEW_ADDRESS = /11\.(\d+)\.(\d+)\.(\d+)/g;

// The watchers stand in for 1 000 proxies on other machines, but here they share
// two cores with the control plane; decoding every Update in full would make the
// benchmark measure the client. They look for the new address in the raw bytes
// of each add instead (the ip is a protobuf string, so it appears as text).
function watch(service: number, i: number): Promise<Watcher> {
  const w: Watcher = { service, held: 0 };
  const call = (clients[i % CHANNELS] as DestinationClient).makeServerStreamRequest(
    GET.path,
    GET.requestSerialize,
    (b: Buffer) => b,
    { scheme: 'k8s', path: `svc-${service}.bench.svc.cluster.local:80`, contextToken: '{"ns":"bench"}' },
  );
  return new Promise((resolve) => {
    call.on('data', (raw: Buffer) => {
      if (raw[0] === ADD_TAG) {
        for (const m of raw.toString('latin1').matchAll(NEW_ADDRESS)) {
          const g = (Number(m[1]) << 16) | (Number(m[2]) << 8) | Number(m[3]);
          if (g > w.held) hold(w, g);
        }
      }
      resolve(w);
    });
    call.on('error', () => {});
  });
}

/** Holding generation g means holding every earlier change too: a slow stream is sent one diff to the newest state. */
function hold(w: Watcher, g: number): void {
  const now = performance.now();
  const list = pending.get(w.service) ?? [];
  for (const p of list) {
    if (p.generation > w.held && p.generation <= g && ++p.got === p.need) p.done(now - p.start);
  }
  pending.set(
    w.service,
    list.filter((p) => p.got < p.need),
  );
  w.held = g;
}

/** Changes one endpoint of `service` and resolves with the time until `need` watchers hold it (or newer). */
function change(service: number, generation: number, need: number): Promise<number> {
  return new Promise((done) => {
    const slice = endpointSlice(service, PER_SERVICE, generation);
    api.apply('/api/v1/pods', podOf(service, 0, generation));
    const list = pending.get(service) ?? [];
    list.push({ generation, start: performance.now(), need, got: 0, done });
    pending.set(service, list);
    api.apply(SLICES, slice);
  });
}

async function run(name: string, count: number, spacingMs: number, pick: (i: number) => number, need: number) {
  const cpuBefore = await procStats(pid, ports.admin);
  const wall = performance.now();
  const changes: Promise<number>[] = [];
  for (let i = 0; i < count; i++) {
    changes.push(change(pick(i), 1_000 + i + (name === 'fanout' ? 10_000 : 0), need));
    await new Promise((r) => setTimeout(r, spacingMs));
  }
  const stuck = setTimeout(() => {
    progress(
      `stuck: ${[...pending.values()]
        .flat()
        .map((w) => `${w.got}/${w.need}`)
        .join(' ')}`,
    );
  }, 10_000);
  const samples = await Promise.all(changes);
  clearTimeout(stuck);
  const cpuAfter = await procStats(pid, ports.admin);
  const elapsed = (performance.now() - wall) / 1000;
  return {
    name,
    samples,
    p50: quantile(samples, 0.5),
    p99: quantile(samples, 0.99),
    max: Math.max(...samples),
    cpuPercent: (100 * (cpuAfter.cpuSeconds - cpuBefore.cpuSeconds)) / elapsed,
    rssMb: cpuAfter.rssMb,
  };
}

// Baseline: the API server's own watch stream, read directly.
const baseline = await directWatch(api, CHANGES);

progress('baseline done');
// Spread: one watcher per service; each change is awaited by its one watcher.
const spreadWatchers = await Promise.all(Array.from({ length: WATCHERS }, (_, i) => watch(i % SERVICES, i)));
await new Promise((r) => setTimeout(r, 2000));
const subscribed = await procStats(pid, ports.admin);
progress('watchers subscribed');
const spread = await run('spread', CHANGES, 10, (i) => (i * 7919) % SERVICES, 1);

progress('spread done');
// Fan-out: 1 000 more watchers on one service; each change must reach all of them.
await Promise.all(Array.from({ length: WATCHERS }, (_, i) => watch(0, i)));
await new Promise((r) => setTimeout(r, 2000));
const fanout = await run('fanout', FANOUT_CHANGES, 50, () => 0, WATCHERS + 1);
const peak = await procStats(pid, ports.admin);

const machine = {
  date: new Date().toISOString(),
  nproc: execSync('nproc').toString().trim(),
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  loadAverage: loadavg()
    .map((l) => l.toFixed(2))
    .join(' '),
  flags: CP_NODE_FLAGS.join(' '),
};
const figures = {
  machine,
  endpoints: SERVICES * PER_SERVICE,
  services: SERVICES,
  watchers: spreadWatchers.length,
  loadMs,
  afterLoad,
  subscribed,
  baseline: { p50: quantile(baseline, 0.5), p99: quantile(baseline, 0.99) },
  spread,
  fanout,
  peakRssMb: peak.peakRssMb,
};
console.log(
  JSON.stringify(
    { ...figures, spread: { ...spread, samples: undefined }, fanout: { ...fanout, samples: undefined } },
    null,
    2,
  ),
);
// `-- --no-write` leaves the committed figures alone (for trying changes out).
if (!process.argv.includes('--no-write')) {
  const doc = new URL('../../../docs/benchmarks-control-plane.md', import.meta.url).pathname;
  await writeReport(doc, figures);
  progress(`written to ${doc}`);
}

for (const c of clients) c.close();
child.kill('SIGTERM');
await api.stop();
await rm(dir, { recursive: true, force: true });
