import { availableParallelism, cpus, loadavg } from 'node:os';
import { PodCluster, PROXY_UID, serveIn } from '../test/support/pod-cluster.ts';

// What routing by original destination costs per connection, end to end: an
// app in a pod with proxy-init's rules opens one connection per HTTP GET
// (Connection: close) to a Service's virtual IP, which the rules send to the
// outbound listener ("redirected": original destination → GetProfile answer,
// cached → the Service's logical service), against the same GETs sent to the
// outbound listener itself with the Service's name as Host ("direct", the
// local upstream-port mode's path). Both reach one plaintext backend on the
// node over the proxy's keep-alive pool. "no proxy" is the app's connections
// made as the proxy's uid, which the rules let out. Linux, as root.
//   node packages/proxy/bench/transparent.ts

const SECONDS = 3;
const CLIENTS = 8;
const ROUNDS = 4;
const VIP = '10.96.81.10';
const SERVICE = 'bench-svc.emojivoto.svc.cluster.local:8080';

const cluster = new PodCluster();
try {
  const web = cluster.pod();
  await serveIn(cluster.node, 'http:8080');
  await cluster.controlPlane(`
apiVersion: v1
kind: Service
metadata: { name: bench-svc, namespace: emojivoto }
spec:
  clusterIP: ${VIP}
  ports: [{ name: http, port: 8080, targetPort: 8080 }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: bench-svc-0, namespace: emojivoto, labels: { kubernetes.io/service-name: bench-svc } }
ports: [{ name: http, port: 8080 }]
endpoints: [{ addresses: [${web.gateway}], conditions: { ready: true } }]
`);
  await cluster.proxy(web, 'web', 'emojivoto', 'web-0', {});
  const arms: Record<string, () => Promise<Record<string, unknown>>> = {
    redirected: () => web.app(['load', `http://${VIP}:8080/`, String(SECONDS), String(CLIENTS)]),
    direct: () => web.app(['load', 'http://127.0.0.1:4140/', String(SECONDS), String(CLIENTS), SERVICE]),
    'no proxy': () => web.app(['load', `http://${web.gateway}:8080/`, String(SECONDS), String(CLIENTS)], PROXY_UID),
  };
  const load = loadavg()[0]?.toFixed(2);
  // Warm-up: discovery answered, code compiled.
  for (const run of Object.values(arms)) await run();
  const best: Record<string, number> = {};
  const errors: Record<string, number> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(arms)) {
      const r = (await run()) as { connections: number; errors: number };
      best[name] = Math.max(best[name] ?? 0, r.connections / SECONDS);
      errors[name] = (errors[name] ?? 0) + r.errors;
    }
  }
  const direct = best.direct as number;
  console.log(`- Date: ${new Date().toISOString().slice(0, 19)}Z`);
  console.log(
    `- Machine: ${availableParallelism()} CPUs, ${cpus()[0]?.model.trim()}; Node ${process.version}; load average ${load} at start`,
  );
  console.log(`- ${CLIENTS} clients, ${SECONDS} s per pass, best of ${ROUNDS} interleaved passes per arm\n`);
  console.log('| arm | connections/s | vs direct | failed |\n|---|---:|---:|---:|');
  for (const name of Object.keys(arms)) {
    const rate = best[name] as number;
    console.log(`| ${name} | ${rate.toFixed(0)} | ${(rate / direct).toFixed(2)}× | ${errors[name]} |`);
  }
} finally {
  cluster.close();
}
