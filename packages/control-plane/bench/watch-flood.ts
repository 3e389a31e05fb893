// One meshed client opening 20 000 Get watches on the control plane over
// mTLS, as a broken or hostile proxy could. The control plane runs as its own
// process (local backend), certified by a real identity service; its resident
// memory is read from /proc before and after the flood. Baseline, measured in
// the same run: the same flood with the per-client limit lifted.
//
//   node bench/watch-flood.ts [--no-write]
import { execSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDestinationApi } from '@weft/api';
import type { DestinationClient } from '@weft/api/gen/weft/destination/Destination.ts';
import {
  createLocalTokenKey,
  createMeshCa,
  identityName,
  issueWorkloadCertificate,
  localTokenValidator,
  mintLocalToken,
  silentLogger,
  startIdentityServer,
  staticIssuer,
} from '@weft/identity';
import { meshChannel } from '../test/support/local-plane.ts';
import { listeningPorts } from './fixtures.ts';
import { type ProcStats, procStats } from './report.ts';

const WATCHES = 20_000;
const CHANNELS = 20;
/** Floods in a row on the limited control plane. */
const ROUNDS = 3;
const DOMAIN = { trustDomain: 'cluster.local', controlPlaneNamespace: 'weft-system' };
const CONTROL_PLANE = identityName('weft-destination', 'weft-system', DOMAIN);
const progress = (msg: string) => console.error(`[bench] ${msg}`);
// What the flood leaves held, not the garbage it made: the benchmark (only) asks
// the control plane for a full collection before reading its memory.
const COLLECT_ON_SIGNAL = ['--expose-gc', '--import', "data:text/javascript,process.on('SIGUSR2',()=>globalThis.gc())"];
/** Collects garbage in the control plane, then reads its memory. */
async function heldStats(pid: number, adminPort: number): Promise<ProcStats> {
  process.kill(pid, 'SIGUSR2');
  await new Promise((r) => setTimeout(r, 1000));
  return procStats(pid, adminPort);
}

const ca = createMeshCa({ domain: DOMAIN });
const key = createLocalTokenKey();
const identity = await startIdentityServer({
  listen: '127.0.0.1:0',
  issuers: staticIssuer(ca.issuer),
  tokens: localTokenValidator(key),
  domain: DOMAIN,
  logger: silentLogger,
});
const dir = await mkdtemp(join(tmpdir(), 'weft-flood-'));
await writeFile(join(dir, 'token'), mintLocalToken({ identity: CONTROL_PLANE, key }));
await writeFile(
  join(dir, 'svc.yaml'),
  'apiVersion: v1\nkind: Service\nmetadata: { name: web-svc, namespace: emojivoto }\nspec: { ports: [{ port: 80 }] }\n',
);

interface FloodRound {
  /** With the flood held, after a full collection; peakRssMb is the high-water mark so far. */
  readonly flooded: ProcStats;
  readonly answered: number;
  readonly refused: number;
  readonly otherClientAnswered: boolean;
}

interface Flood {
  readonly limit: number;
  readonly idle: ProcStats;
  /** The same flood, again and again on one control plane: memory it keeps rather than holds shows as growth between rounds. */
  readonly floods: readonly FloodRound[];
}

async function flood(limit: number, rounds: number): Promise<Flood> {
  const child = spawn(process.execPath, ['--max-semi-space-size=8', ...COLLECT_ON_SIGNAL, 'src/main.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: {
      PATH: process.env.PATH,
      WEFT_CP_BACKEND: 'local',
      WEFT_CP_RESOURCE_DIR: dir,
      WEFT_CP_LISTEN_ADDR: '0',
      WEFT_CP_ADMIN_ADDR: '0',
      WEFT_CP_NAMESPACE: 'weft-system',
      WEFT_CP_IDENTITY_SVC_ADDR: identity.address,
      WEFT_CP_IDENTITY_TRUST_ANCHORS: ca.trustAnchorsPem,
      WEFT_CP_IDENTITY_TOKEN_FILE: join(dir, 'token'),
      WEFT_CP_MAX_WATCHES_PER_CLIENT: String(limit),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ports = await listeningPorts(child);
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${ports.admin}/ready`).catch(() => undefined);
    if (res?.status === 200) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const pid = child.pid as number;
  const idle = await heldStats(pid, ports.admin);

  const Destination = loadDestinationApi().weft.destination.Destination;
  const as = (who: string, i: number) => {
    const { creds, options } = meshChannel(
      issueWorkloadCertificate(ca.issuer, identityName(who, 'emojivoto', DOMAIN)),
      ca.trustAnchorsPem,
      CONTROL_PLANE,
    );
    return new Destination(`127.0.0.1:${ports.grpc}`, creds, {
      ...options,
      'grpc.use_local_subchannel_pool': 1,
      'weft.bench.channel': i,
    }) as DestinationClient;
  };
  const request = { scheme: 'local', path: 'web-svc.emojivoto.svc.cluster.local:80', contextToken: '' };
  const floods: FloodRound[] = [];
  for (let round = 0; round < rounds; round++) {
    const clients = Array.from({ length: CHANNELS }, (_, i) => as('greedy', i));
    let answered = 0;
    let refused = 0;
    const calls = Array.from({ length: WATCHES }, (_, i) => {
      const call = (clients[i % CHANNELS] as DestinationClient).Get(request);
      return new Promise<typeof call>((resolve) => {
        let settled = false;
        const settle = (outcome: 'answered' | 'refused') => {
          if (settled) return;
          settled = true;
          if (outcome === 'answered') answered++;
          else refused++;
          resolve(call);
        };
        call.once('data', () => settle('answered'));
        // Cancelling at the end fails the answered calls too; only the first outcome counts.
        call.on('error', () => settle('refused'));
      });
    });
    const open = await Promise.all(calls);
    progress(`limit ${limit}, flood ${round + 1}: ${answered} watches answered, ${refused} refused`);
    // Another proxy still gets its answer while the flood is held.
    const other = as('web', 0);
    const otherClientAnswered = await new Promise<boolean>((resolve) => {
      const call = other.Get(request);
      call.once('data', () => resolve(true));
      call.once('error', () => resolve(false));
    });
    const flooded = await heldStats(pid, ports.admin);
    for (const call of open) call.cancel();
    for (const c of [...clients, other]) c.close();
    floods.push({ answered, refused, flooded, otherClientAnswered });
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { limit, idle, floods };
}

const limited = await flood(1000, ROUNDS);
const unlimited = await flood(1_000_000, 1);
await identity.close();
await rm(dir, { recursive: true, force: true });

const machine = `${new Date().toISOString()}, ${execSync('nproc').toString().trim()} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average ${loadavg()
  .map((l) => l.toFixed(2))
  .join(' ')}`;
const last = (f: Flood) => f.floods[f.floods.length - 1] as FloodRound;
const heldMb = (f: Flood) => Math.round(last(f).flooded.heapMb - f.idle.heapMb);
const growthMb = (f: Flood) => Math.round(last(f).flooded.rssMb - f.idle.rssMb);
const row = (f: Flood) =>
  f.floods
    .map(
      (r, i) =>
        `| ${f.limit.toLocaleString('en')} | ${i + 1} | ${r.answered} | ${r.refused} | ${f.idle.rssMb.toFixed(0)} MB | ${r.flooded.rssMb.toFixed(0)} MB | ${r.flooded.peakRssMb.toFixed(0)} MB | ${f.idle.heapMb.toFixed(0)} → ${r.flooded.heapMb.toFixed(0)} MB | ${r.otherClientAnswered ? 'yes' : 'no'} |`,
    )
    .join('\n');
const peaks = limited.floods.map((r) => r.flooded.peakRssMb);
const report = `# Control plane: one client's watch flood

Measured ${machine}.
Command: \`node packages/control-plane/bench/watch-flood.ts\` (run in packages/control-plane); it rewrites this file.

One meshed client (one identity, ${CHANNELS} connections) opens ${WATCHES.toLocaleString('en')} Get watches on the
control plane over mTLS, as a broken or hostile proxy could, cancels them, and does it again: ${ROUNDS} floods
on one control plane. Its memory is read from /proc and its /metrics once idle and again with each flood
held, each time after a full garbage collection, so the heap figures are what the flood holds rather than
the garbage its calls made; the peak column is the resident high-water mark so far. Baseline in the same
run: one flood with the per-client limit lifted to 1 000 000.

| WEFT_CP_MAX_WATCHES_PER_CLIENT | flood | answered | refused (RESOURCE_EXHAUSTED) | RSS idle | RSS flooded | peak RSS | V8 heap in use | another client answered |
|---|---|---|---|---|---|---|---|---|
${row(limited)}
${row(unlimited)}

What the flood holds: ${heldMb(limited)} MB of V8 heap with the limit against ${heldMb(unlimited)} MB without
(${(heldMb(limited) / Math.max(1, heldMb(unlimited))).toFixed(2)}×). The resident set grows by ${growthMb(limited)} MB against
${growthMb(unlimited)} MB: that is the high-water mark of receiving ${WATCHES.toLocaleString('en')} calls at once, refused or
not, which V8 and the allocator keep after the garbage is collected. It is a mark, not a leak: over
${ROUNDS} floods the peak went ${peaks.map((p) => `${p.toFixed(0)} MB`).join(', ')}.
`;
console.log(report);
if (!process.argv.includes('--no-write')) {
  const doc = new URL('../../../docs/benchmarks-control-plane-watch-limit.md', import.meta.url).pathname;
  await writeFile(doc, report);
  progress(`written to ${doc}`);
}
