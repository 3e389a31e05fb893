import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Recorder } from './recorder.ts';
import type { Workload } from './workload.ts';

// The recorder against real HTTP servers that behave like proxies, and like
// proxies gone wrong: down, hanging, answering garbage or far too much.

let counter = 0;
const servers: Server[] = [];
const ports: Record<'ok' | 'hang' | 'garbage' | 'huge', number> = { ok: 0, hang: 0, garbage: 0, huge: 0 };

async function serve(handler: (res: ServerResponse) => void): Promise<number> {
  const server = createServer((_req, res) => handler(res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  ports.ok = await serve((res) => {
    counter++;
    res.end(`request_total{direction="inbound",namespace="clash"} ${counter}\n`);
  });
  ports.hang = await serve(() => {}); // never answers
  ports.garbage = await serve((res) => res.end('request_total{direction="in 3\n'));
  ports.huge = await serve((res) => res.end(`# ${'x'.repeat(2 << 20)}\n`));
});

afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

const workload = (pod: string, adminAddr: string): Workload => ({
  namespace: 'ns',
  deployment: 'dep',
  pod,
  services: [],
  serviceAccount: 'sa',
  identity: 'sa.ns.serviceaccount.identity.weft.cluster.local',
  adminAddr,
  inboundAddr: '127.0.0.1:1',
});

describe('Recorder', () => {
  it('attaches target labels, keeping a clashing scraped label as exported_<name>', async () => {
    const r = new Recorder({ intervalMs: 60_000 });
    r.add(workload('ok-0', `127.0.0.1:${ports.ok}`));
    await r.scrapeAll();
    await new Promise((res) => setTimeout(res, 5));
    await r.scrapeAll();
    const [pair] = r.pairs(60_000);
    expect(pair?.last.samples[0]?.labels).toEqual({
      direction: 'inbound',
      exported_namespace: 'clash',
      namespace: 'ns',
      deployment: 'dep',
      pod: 'ok-0',
      job: 'weft-proxy',
      instance: `127.0.0.1:${ports.ok}`,
    });
    expect((pair?.last.samples[0]?.value ?? 0) - (pair?.first.samples[0]?.value ?? 0)).toBe(1);
    r.stop();
  });

  it('marks dead, hanging, malformed and oversized proxies down and keeps scraping the rest', async () => {
    const r = new Recorder({ intervalMs: 60_000, timeoutMs: 300, maxBodyBytes: 1 << 20 });
    r.add(workload('ok-0', `127.0.0.1:${ports.ok}`));
    r.add(workload('dead-0', '127.0.0.1:1'));
    r.add(workload('hang-0', `127.0.0.1:${ports.hang}`));
    r.add(workload('garbage-0', `127.0.0.1:${ports.garbage}`));
    r.add(workload('huge-0', `127.0.0.1:${ports.huge}`));
    const started = Date.now();
    await r.scrapeAll();
    expect(Date.now() - started).toBeLessThan(2000);
    const health = Object.fromEntries(r.targets().map((t) => [t.workload.pod, t.health]));
    expect(health['ok-0']?.up).toBe(true);
    expect(health['dead-0']).toMatchObject({
      up: false,
      lastError: expect.stringMatching(/fetch failed|ECONNREFUSED/),
    });
    expect(health['hang-0']).toMatchObject({ up: false, lastError: 'no answer in 300 ms' });
    expect(health['garbage-0']).toMatchObject({ up: false, lastError: expect.stringContaining('line 1') });
    expect(health['huge-0']).toMatchObject({ up: false, lastError: expect.stringContaining('byte bound') });
    r.stop();
  });

  it('keeps history only for the retention time, thinned past the full resolution', async () => {
    const r = new Recorder({ intervalMs: 50, retentionMs: 300 });
    r.add(workload('ok-0', `127.0.0.1:${ports.ok}`));
    r.start();
    await new Promise((res) => setTimeout(res, 900));
    r.stop();
    const [t] = r.targets();
    expect(t?.scrapes).toBeGreaterThan(2);
    expect(t?.scrapes).toBeLessThanOrEqual(8);
    expect(Date.now() - (t?.oldestAt ?? 0)).toBeLessThan(600);
    const thin = new Recorder({ intervalMs: 20, retentionMs: 5000, fullResolutionMs: 100, thinnedIntervalMs: 200 });
    thin.add(workload('ok-0', `127.0.0.1:${ports.ok}`));
    thin.start();
    await new Promise((res) => setTimeout(res, 900));
    thin.stop();
    // ~45 scrapes were made: about 5 in the last 100 ms, and one per 200 ms before.
    expect(thin.targets()[0]?.scrapes).toBeGreaterThan(5);
    expect(thin.targets()[0]?.scrapes).toBeLessThanOrEqual(14);
    expect(r.remove('ns', 'ok-0')).toBe(true);
    expect(r.targets()).toEqual([]);
  });
});
