// How long a pods network takes to set up and tear down for emojivoto's four
// workloads, unmeshed (the baseline: namespaces, veths, addresses, routes,
// name files) and meshed (plus one weft-proxy-init process per pod), in the
// same run. Linux, root: `node packages/cli/bench/pods-network.ts [rounds]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ServiceSpec, WorkloadSpec } from '../src/pods/plan.ts';
import { startPodNetwork } from '../src/pods/pod-network.ts';

const ROUNDS = Number(process.argv[2] ?? 5);
const names = ['web', 'emoji', 'voting'];
const services: ServiceSpec[] = names.map((n) => ({
  name: `${n}-svc`,
  namespace: 'emojivoto',
  ports: [{ port: 8080, targetPort: 8080 }],
}));
const workloads = (meshed: boolean): WorkloadSpec[] =>
  [...names, 'vote-bot'].map((name) => ({
    name,
    namespace: 'emojivoto',
    services: names.includes(name) ? [`${name}-svc`] : [],
    ports: [8080],
    meshed,
  }));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const stateDir = mkdtempSync(join(tmpdir(), 'weft-pods-bench-'));
try {
  const results: Record<string, { setUp: number; teardown: number }> = {};
  for (const meshed of [false, true]) {
    const setUp: number[] = [];
    const teardown: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      const network = await startPodNetwork({ workloads: workloads(meshed), services, stateDir });
      const t1 = performance.now();
      network.teardown();
      setUp.push(t1 - t0);
      teardown.push(performance.now() - t1);
    }
    results[meshed ? 'meshed' : 'unmeshed'] = { setUp: median(setUp), teardown: median(teardown) };
  }
  const { unmeshed, meshed } = results as Record<'meshed' | 'unmeshed', { setUp: number; teardown: number }>;
  for (const [name, r] of Object.entries(results))
    console.log(
      `${name.padEnd(8)} set-up ${r.setUp.toFixed(0)} ms, teardown ${r.teardown.toFixed(0)} ms (median of ${ROUNDS})`,
    );
  console.log(`meshed/unmeshed set-up: ${(meshed.setUp / unmeshed.setUp).toFixed(1)}x`);
} finally {
  rmSync(stateDir, { recursive: true, force: true });
}
