import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDestination } from './support/destination-server.ts';
import { startSidecar } from './support/mesh.ts';

// Traffic split from the profile's dst_overrides through a real sidecar: the
// apex service's requests go to two backend services by weight, and a weight
// change under load moves traffic within a second without failing a request.

const APEX = 'web-svc.emojivoto.svc.cluster.local:80';
const V1 = 'web-v1.emojivoto.svc.cluster.local:80';
const V2 = 'web-v2.emojivoto.svc.cluster.local:80';

let destination: TestDestination;
let apps: Server[];
let sidecar: Awaited<ReturnType<typeof startSidecar>>;
let port: number;

async function app(name: string): Promise<Server> {
  const server = createServer((_req, res) => res.end(name));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const portOf = (s: Server) => (s.address() as AddressInfo).port;
const split = (w1: number, w2: number) =>
  destination.setProfile(APEX, {
    dstOverrides: [
      { authority: V1, weight: w1 },
      { authority: V2, weight: w2 },
    ],
  });

beforeAll(async () => {
  destination = new TestDestination();
  await destination.start();
  apps = [await app('v1'), await app('v2')];
  destination.set(APEX, [{ ip: '127.0.0.1', port: portOf(apps[0] as Server) }]);
  destination.set(V1, [{ ip: '127.0.0.1', port: portOf(apps[0] as Server) }]);
  destination.set(V2, [{ ip: '127.0.0.1', port: portOf(apps[1] as Server) }]);
  sidecar = await startSidecar(destination, { WEFT_PROXY_OUTBOUND_UPSTREAMS: `${APEX}=127.0.0.1:0` });
  port = (sidecar.addresses.upstreams.get(APEX) as AddressInfo).port;
});

afterAll(async () => {
  await sidecar.close();
  destination.stop();
  for (const a of apps) a.close();
});

async function call(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  const body = await res.text();
  return res.status === 200 ? body : `status ${res.status}`;
}

describe('traffic split', () => {
  it('sends 90/10 within 3 points over 2500 requests, then 0/100 under load without failing one', async () => {
    split(9000, 1000);
    // Until the split is in force (its first v2 shows it); how soon a change applies is timed below, under load.
    const deadline = Date.now() + 10_000;
    while ((await call()) !== 'v2') if (Date.now() > deadline) throw new Error('split not applied within 10 s');

    // Each request draws v2 with p = 0.1: over n = 2500 the share's standard deviation is
    // sqrt(0.1 * 0.9 / 2500) = 0.006, so 3 points are 5 of them (an honest run fails about once
    // in 1.7 million), while an even split, or none, fails for certain.
    const N = 2500;
    const counts = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next++ < N) {
          const body = await call();
          counts.set(body, (counts.get(body) ?? 0) + 1);
        }
      }),
    );
    expect((counts.get('v1') ?? 0) + (counts.get('v2') ?? 0)).toBe(N);
    expect(Math.abs((counts.get('v2') ?? 0) / N - 0.1)).toBeLessThanOrEqual(0.03);

    // Under load: move everything to v2 and keep sending for 1.5 s after the change.
    const results: { at: number; body: string }[] = [];
    let changedAt = Number.POSITIVE_INFINITY;
    let stop = false;
    const load = Promise.all(
      Array.from({ length: 16 }, async () => {
        while (!stop) {
          const at = Date.now();
          results.push({ at, body: await call() });
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    split(0, 10000);
    changedAt = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await load;
    expect(results.filter((r) => r.body !== 'v1' && r.body !== 'v2')).toEqual([]);
    const late = results.filter((r) => r.at >= changedAt + 1000);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((r) => r.body === 'v2')).toBe(true);
  });
});
