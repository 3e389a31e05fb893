import { once } from 'node:events';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TestDestination, type TestEndpoint } from './support/destination-server.ts';
import { startSidecar } from './support/mesh.ts';

// Load balancing as a user sees it: the outbound side spreads one service's
// requests over its endpoints by latency, and follows discovery without
// losing requests.

const SVC = 'web-svc.emojivoto.svc.cluster.local:80';
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function backend(delayMs: number, hits: { n: number }): Promise<{ server: Server; endpoint: TestEndpoint }> {
  const server = createServer((_req, res) => {
    hits.n++;
    setTimeout(() => res.end('ok'), delayMs);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.push(() => server.close());
  return { server, endpoint: { ip: '127.0.0.1', port: (server.address() as AddressInfo).port } };
}

function get(port: number, agent: Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, agent, path: '/' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    req.end();
  });
}

/** Statuses of requests sent `concurrency` at a time, `total` of them, or until `total()` is reached. */
async function load(
  port: number,
  total: number | (() => number),
  concurrency: number,
  onProgress?: (done: number) => void,
): Promise<number[]> {
  const limit = typeof total === 'number' ? () => total : total;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < limit()) {
        next++;
        statuses.push(await get(port, agent));
        onProgress?.(statuses.length);
      }
    }),
  );
  agent.destroy();
  return statuses;
}

async function setup(endpoints: TestEndpoint[]) {
  const destination = new TestDestination();
  destination.set(SVC, endpoints);
  await destination.start();
  cleanup.push(() => destination.stop());
  const proxy = await startSidecar(destination, { WEFT_PROXY_OUTBOUND_UPSTREAMS: `${SVC}=127.0.0.1:0` });
  cleanup.push(proxy.close);
  const port = (proxy.addresses.upstreams.get(SVC) as AddressInfo).port;
  return { destination, port };
}

describe('P2C over peak-EWMA', () => {
  it('sends most requests to the endpoint that is 10x faster', async () => {
    const fastHits = { n: 0 };
    const slowHits = { n: 0 };
    const fast = await backend(2, fastHits);
    const slow = await backend(20, slowHits);
    const { port } = await setup([fast.endpoint, slow.endpoint]);
    const statuses = await load(port, 300, 4);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(fastHits.n + slowHits.n).toBe(300);
    expect(fastHits.n / 300).toBeGreaterThan(0.75);
  });

  it('loses no request when an endpoint is removed under load', async () => {
    const aHits = { n: 0 };
    const bHits = { n: 0 };
    const a = await backend(3, aHits);
    const b = await backend(3, bHits);
    const { destination, port } = await setup([a.endpoint, b.endpoint]);
    let removed = false;
    let bAtRemoval = -1;
    // 150 requests, the removal, and then the load goes on for about 150 more after the removed
    // endpoint went away, however long a busy machine takes to get there.
    let total = Number.POSITIVE_INFINITY;
    let completed = 0;
    const statuses = await load(
      port,
      () => total,
      8,
      (done) => {
        completed = done;
        if (done === 150 && !removed) {
          removed = true;
          destination.remove(SVC, b.endpoint);
          // The removed endpoint goes away soon after, as a terminating pod does.
          setTimeout(() => {
            bAtRemoval = bHits.n;
            b.server.close();
            b.server.closeIdleConnections();
            total = completed + 150;
          }, 500);
        }
      },
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(bHits.n).toBeGreaterThan(0);
    expect(bHits.n).toBe(bAtRemoval);
    expect(aHits.n + bHits.n).toBe(statuses.length);
  });
});
