import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The proxy package's own test mesh: two real sidecars (web → emoji) with
// mTLS certificates from a real CA and a real destination server.
import { type Mesh, SERVICE, startMesh } from '../../../../proxy/test/support/mesh.ts';
import { startViz, type VizOptions, type VizServer } from '../server.ts';
import type { Workload } from '../workload.ts';

// A proxy pair in front of a real HTTP backend, watched by a viz server,
// registered as the local mesh would: web (client side) and emoji (server).

export interface ObservedMesh {
  readonly mesh: Mesh;
  readonly viz: VizServer;
  readonly dir: string;
  readonly web: Workload;
  readonly emoji: Workload;
  /** Sends `n` requests through web's sidecar to emoji; `/boom` answers 500. */
  send(path: '/ok' | '/boom', n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startObservedMesh(vizOpts: VizOptions = {}): Promise<ObservedMesh> {
  const app: Server = createServer((req, res) => {
    res.statusCode = req.url === '/boom' ? 500 : 200;
    res.end('x');
  });
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  const mesh = await startMesh((app.address() as AddressInfo).port);
  // The labels the control plane gives an endpoint owned by a Deployment
  // (dst_deployment, dst_serviceaccount on the client's metrics).
  mesh.destination.set(SERVICE, [
    {
      ip: '127.0.0.1',
      port: mesh.inboundPort,
      identity: mesh.serverIdentity,
      labels: { pod: 'emoji-0', deployment: 'emoji', serviceaccount: 'emoji' },
    },
  ]);
  const dir = await mkdtemp(join(tmpdir(), 'weft-viz-'));
  const viz = await startViz({ recorder: { intervalMs: 500 }, stateDir: dir, ...vizOpts });
  const addr = (port: number | undefined) => `127.0.0.1:${port}`;
  const web: Workload = {
    namespace: 'emojivoto',
    deployment: 'web',
    pod: 'web-0',
    services: ['web-svc'],
    serviceAccount: 'web',
    identity: mesh.clientIdentity,
    adminAddr: addr(mesh.client.addresses?.admin.port),
    inboundAddr: addr(mesh.client.addresses?.inbound.port),
  };
  const emoji: Workload = {
    namespace: 'emojivoto',
    deployment: 'emoji',
    pod: 'emoji-0',
    services: ['emoji-svc'],
    serviceAccount: 'emoji',
    identity: mesh.serverIdentity,
    adminAddr: addr(mesh.server.addresses?.admin.port),
    inboundAddr: addr(mesh.inboundPort),
  };
  viz.registerWorkload(web);
  viz.registerWorkload(emoji);
  await viz.scrapeNow();
  return {
    mesh,
    viz,
    dir,
    web,
    emoji,
    async send(path, n) {
      for (let i = 0; i < n; i++) await (await fetch(`http://127.0.0.1:${mesh.upstreamPort}${path}`)).text();
    },
    async close() {
      await viz.close();
      await mesh.close();
      app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
