import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, SERVICE, startMesh } from './support/mesh.ts';

// Header and query parameter conditions through a real proxy pair, and a
// route's own backends: an A/B rule sends its requests to another service
// while the rest stay on the service's endpoints.

const V2 = 'emoji-v2.emojivoto.svc.cluster.local:8080';
const toV2 = [{ authority: V2, weight: 10_000 }];

let mesh: Mesh;
let v1: Server;
let v2: Server;

async function app(name: string): Promise<Server> {
  const server = createServer((_req, res) => res.end(name));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

beforeAll(async () => {
  v1 = await app('v1');
  v2 = await app('v2');
  mesh = await startMesh((v1.address() as AddressInfo).port);
  mesh.destination.set(V2, [{ ip: '127.0.0.1', port: (v2.address() as AddressInfo).port }]);
});

afterAll(async () => {
  await mesh.close();
  v1.close();
  v2.close();
});

async function call(path: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${mesh.upstreamPort}${path}`, { headers });
  return res.status === 200 ? res.text() : `status ${res.status}`;
}

describe('route matching on headers and query parameters', () => {
  it('sends header- and query-matched requests to the route backends, within a second of the profile', async () => {
    expect(await call('/', { 'x-canary': 'yes' })).toBe('v1');
    mesh.destination.setProfile(SERVICE, {
      fullyQualifiedName: 'emoji-svc.emojivoto.svc.cluster.local',
      routes: [
        { condition: { header: { name: 'x-canary', exact: 'yes' } }, metricsLabels: { route: 'ab' }, backends: toV2 },
        {
          condition: {
            all: { matches: [{ path: { regex: '/beta/.*' } }, { header: { name: 'x-user', regex: 'beta-[0-9]+' } }] },
          },
          metricsLabels: { route: 'beta' },
          backends: toV2,
        },
        { condition: { queryParam: { name: 'debug', exact: '1' } }, metricsLabels: { route: 'q' }, backends: toV2 },
        {
          condition: { queryParam: { name: 'variant', regex: 'b|c d' } },
          metricsLabels: { route: 'qr' },
          backends: toV2,
        },
      ],
    });
    const deadline = Date.now() + 1000;
    while ((await call('/', { 'x-canary': 'yes' })) !== 'v2')
      if (Date.now() > deadline) throw new Error('header route not applied within 1 s');

    const seen = await Promise.all([
      call('/'),
      call('/', { 'x-canary': 'no' }),
      call('/beta/x', { 'x-user': 'beta-12' }),
      call('/beta/x', { 'x-user': 'beta-x' }),
      call('/other', { 'x-user': 'beta-12' }),
      call('/?debug=1'),
      call('/?debug=10'),
      call('/?a=1&variant=c+d'),
      call('/?variant=bc'),
      call('/path?variant=b&debug=0'),
    ]);
    expect(seen).toEqual(['v1', 'v1', 'v2', 'v1', 'v1', 'v2', 'v1', 'v2', 'v1', 'v2']);
  });
});
