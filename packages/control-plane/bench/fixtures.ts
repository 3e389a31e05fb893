import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FakeApiServer } from '../test/support/fake-api-server.ts';

export const SLICES = '/apis/discovery.k8s.io/v1/endpointslices';

export const serviceOf = (s: number) => ({
  metadata: { name: `svc-${s}`, namespace: 'bench' },
  spec: { clusterIP: `10.96.${s >> 8}.${s & 255}`, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
});

/** Endpoint 0 moves to a fresh address every generation, so each change is one remove and one add. */
const ipOf = (s: number, e: number, generation: number) =>
  e === 0 && generation > 0
    ? `11.${(generation >> 16) & 255}.${(generation >> 8) & 255}.${generation & 255}`
    : `10.${s >> 8}.${s & 255}.${e + 1}`;

const podName = (s: number, e: number, generation: number) =>
  e === 0 && generation > 0 ? `svc-${s}-0-g${generation}` : `svc-${s}-${e}`;

export const endpointSlice = (s: number, perService: number, generation: number) => ({
  metadata: { name: `svc-${s}-slice`, namespace: 'bench', labels: { 'kubernetes.io/service-name': `svc-${s}` } },
  ports: [{ name: 'http', port: 8080 }],
  endpoints: Array.from({ length: perService }, (_, e) => ({
    addresses: [ipOf(s, e, generation)],
    conditions: { ready: true },
    targetRef: { kind: 'Pod', name: podName(s, e, generation) },
  })),
});

export const podOf = (s: number, e: number, generation: number) => ({
  metadata: {
    name: podName(s, e, generation),
    namespace: 'bench',
    labels: { app: `svc-${s}`, 'weft.dev/control-plane-ns': 'weft', 'pod-template-hash': 'h' },
    ownerReferences: [{ kind: 'ReplicaSet', name: `svc-${s}-h`, controller: true }],
  },
  spec: { serviceAccountName: `sa-${s}`, containers: [{ name: 'app' }, { name: 'weft-proxy' }] },
  status: { podIP: ipOf(s, e, generation) },
});

/** The baseline: how long the API server's own watch stream takes to deliver the same kind of change. */
export async function directWatch(api: FakeApiServer, count: number): Promise<number[]> {
  const url = new URL(api.kubeConfig().getCurrentCluster()?.server ?? '');
  const waiting = new Map<string, (t: number) => void>();
  const req = request({ host: url.hostname, port: url.port, path: `${SLICES}?watch=1&resourceVersion=${api.version}` });
  await new Promise<void>((resolve) => {
    req.on('response', (res) => {
      let buf = '';
      res.on('data', (d: Buffer) => {
        const now = performance.now();
        buf += d;
        let nl = buf.indexOf('\n');
        while (nl >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const ip = (JSON.parse(line) as { object: ReturnType<typeof endpointSlice> }).object.endpoints[0]
            ?.addresses[0];
          if (ip) waiting.get(ip)?.(now);
          nl = buf.indexOf('\n');
        }
      });
      resolve();
    });
    req.end();
  });
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const generation = 100_000 + i;
    const slice = endpointSlice(999, 10, generation);
    const ip = slice.endpoints[0]?.addresses[0] as string;
    const start = performance.now();
    const got = new Promise<number>((resolve) => waiting.set(ip, resolve));
    api.apply(SLICES, slice);
    samples.push((await got) - start);
    await new Promise((r) => setTimeout(r, 2));
  }
  req.destroy();
  return samples;
}

/** The gRPC and admin ports a control plane process logs once it listens. */
export function listeningPorts(child: ChildProcess): Promise<{ grpc: number; admin: number }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stderr?.on('data', (d: Buffer) => {
      buf += d;
      const m = /"grpc":"[^"]*:(\d+)","admin":"[^"]*:(\d+)"/.exec(buf);
      if (m) resolve({ grpc: Number(m[1]), admin: Number(m[2]) });
    });
    child.once('exit', (code) => reject(new Error(`control plane exited ${code}: ${buf}`)));
  });
}
