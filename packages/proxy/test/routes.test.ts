import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DestinationProfile } from './support/destination-server.ts';
import { type Mesh, SERVICE, startMesh } from './support/mesh.ts';
import { metricSum } from './support/metrics-text.ts';

// Per-route behaviour from the service's profile (GetProfile), through a real
// proxy pair: route matching and route_* metrics, route timeouts, retries of
// failure-classified responses under the retry budget, request bodies kept
// for a retry up to 64 KiB. Profile changes apply live. All of it on both
// ways HTTP/1 travels between the proxies: as HTTP/1 over mTLS (the default)
// and upgraded to HTTP/2 (WEFT_PROXY_OUTBOUND_H1_OVER_H2).

async function pool<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

const TRANSPORTS: { name: string; env: Record<string, string> }[] = [
  { name: 'HTTP/1 between proxies', env: {} },
  { name: 'HTTP/1 upgraded to HTTP/2 between proxies', env: { WEFT_PROXY_OUTBOUND_H1_OVER_H2: 'true' } },
];

describe.each(TRANSPORTS)('$name', ({ env }) => {
  let mesh: Mesh;
  let app: Server;
  let cancelledOnServer = 0;
  const attemptsById = new Map<string, number>();
  const bodiesSeen: string[] = [];

  const FIVE_XX = [{ condition: { status: { min: 500, max: 599 } }, isFailure: true }];

  const profile = (budget: DestinationProfile['retryBudget'], marker = 'first'): DestinationProfile => ({
    fullyQualifiedName: 'emoji-svc.emojivoto.svc.cluster.local',
    routes: [
      // Only to show which version of the profile the proxy holds: its route label changes with it.
      { condition: { path: { regex: '/marker' } }, metricsLabels: { route: `marker ${marker}` } },
      {
        condition: { all: { matches: [{ method: 'GET' }, { path: { regex: '/a' } }] } },
        metricsLabels: { route: 'GET /a' },
      },
      {
        condition: { path: { regex: '/slow' } },
        metricsLabels: { route: 'slow' },
        timeout: { seconds: 0, nanos: 300e6 },
      },
      {
        condition: { path: { regex: '/flaky' } },
        metricsLabels: { route: 'flaky' },
        isRetryable: true,
        responseClasses: FIVE_XX,
      },
      { condition: { path: { regex: '/fail' } }, metricsLabels: { route: 'fail' }, isRetryable: true },
      { condition: { path: { regex: '/echo' } }, metricsLabels: { route: 'echo' }, isRetryable: true },
      {
        condition: { path: { regex: '/vote' } },
        metricsLabels: { route: 'vote', 'fault.weft.dev/abort-percent': '50', 'fault.weft.dev/abort-status': '503' },
      },
      {
        condition: { path: { regex: '/delayed' } },
        metricsLabels: { route: 'delayed', 'fault.weft.dev/delay': '200ms' },
      },
    ],
    retryBudget: budget,
  });

  beforeAll(async () => {
    app = createServer((req, res) => {
      const path = req.url ?? '/';
      if (path === '/slow') {
        const t = setTimeout(() => res.end('late'), 3000);
        res.on('close', () => {
          if (!res.writableFinished) cancelledOnServer++;
          clearTimeout(t);
        });
        return;
      }
      if (path === '/flaky') {
        res.statusCode = Math.random() < 0.5 ? 500 : 200;
        res.end();
        return;
      }
      if (path === '/fail') {
        res.statusCode = 503;
        res.end();
        return;
      }
      if (path === '/echo') {
        // Fails the first attempt of each request id; every attempt's body is recorded.
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks);
          bodiesSeen.push(createHash('sha256').update(body).digest('hex'));
          const id = String(req.headers['x-id']);
          const n = (attemptsById.get(id) ?? 0) + 1;
          attemptsById.set(id, n);
          res.statusCode = n === 1 ? 500 : 200;
          res.end(createHash('sha256').update(body).digest('hex'));
        });
        return;
      }
      res.end('ok');
    });
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    mesh = await startMesh((app.address() as AddressInfo).port, env);
    mesh.destination.setProfile(SERVICE, profile({ retryRatio: 1.5, minRetriesPerSecond: 10, ttl: { seconds: 10 } }));
    await eventually(async () => {
      await get('/a');
      return (await scrape()).includes('rt_route="GET /a"');
    });
  });

  afterAll(async () => {
    await mesh.close();
    app.close();
  });

  const url = (path: string) => `http://127.0.0.1:${mesh.upstreamPort}${path}`;
  const get = async (path: string) => {
    const res = await fetch(url(path));
    await res.arrayBuffer();
    return res;
  };
  const scrape = async () => (await fetch(`http://127.0.0.1:${mesh.client.addresses?.admin.port}/metrics`)).text();

  async function eventually(check: () => Promise<boolean>, withinMs = 10_000): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  describe('routes from the profile', () => {
    it('labels requests with the matched route, and unmatched ones with an empty rt_route', async () => {
      const before = await scrape();
      const dst = { direction: 'outbound', dst: SERVICE };
      const a0 = metricSum(before, 'route_request_total', { ...dst, rt_route: 'GET /a' });
      const d0 = metricSum(before, 'route_request_total', { ...dst, rt_route: '' });
      for (let i = 0; i < 3; i++) await get('/a');
      await get('/b');
      await fetch(url('/a'), { method: 'POST' }).then((r) => r.arrayBuffer());
      const after = await scrape();
      expect(metricSum(after, 'route_request_total', { ...dst, rt_route: 'GET /a' }) - a0).toBe(3);
      expect(metricSum(after, 'route_request_total', { ...dst, rt_route: '' }) - d0).toBe(2);
      expect(metricSum(after, 'route_response_total', { ...dst, rt_route: 'GET /a', classification: 'success' })).toBe(
        metricSum(after, 'route_request_total', { ...dst, rt_route: 'GET /a' }),
      );
      expect(after).toContain('route_response_latency_ms_bucket{direction="outbound"');
      expect(after).toContain('route_actual_request_total{direction="outbound"');
    });

    it('injects the declared faults: half the votes answered 503 by the proxy, a delay before the call', async () => {
      // Each vote is aborted with p = 0.5: over n = 1000 the share's standard deviation is
      // sqrt(0.25 / 1000) = 0.016, so 8 points are 5 of them (an honest run fails about once in
      // 2 million), while 25 % or 75 % fails for certain.
      const N = 1000;
      const results = await pool(N, 10, async () => {
        const res = await get('/vote');
        return res.headers.get('weft-proxy-error') === 'WEFT_PROXY_FAULT_INJECTED' ? res.status : res.status === 200;
      });
      const aborted = results.filter((r) => r === 503).length;
      expect(results.filter((r) => r !== 503 && r !== true)).toEqual([]);
      expect(aborted / N).toBeGreaterThan(0.42);
      expect(aborted / N).toBeLessThan(0.58);
      const text = await scrape();
      expect(
        metricSum(text, 'route_response_total', { rt_route: 'vote', status_code: '503', classification: 'failure' }),
      ).toBe(aborted);
      const start = performance.now();
      expect((await get('/delayed')).status).toBe(200);
      expect(performance.now() - start).toBeGreaterThanOrEqual(190);
    });

    it('answers 504 at the route timeout and cancels the upstream request', async () => {
      const start = performance.now();
      const res = await get('/slow');
      const elapsed = performance.now() - start;
      expect(res.status).toBe(504);
      expect(res.headers.get('weft-proxy-error')).toBe('WEFT_PROXY_RESPONSE_TIMEOUT');
      expect(elapsed).toBeGreaterThanOrEqual(280);
      expect(elapsed).toBeLessThan(1000);
      await eventually(async () => cancelledOnServer === 1);
    });

    it('retries a backend failing half the time: at least 99 % succeed', async () => {
      const statuses = await pool(300, 10, async () => (await get('/flaky')).status);
      const ok = statuses.filter((s) => s === 200).length;
      expect(ok / statuses.length).toBeGreaterThanOrEqual(0.99);
      const text = await scrape();
      const sel = { direction: 'outbound', rt_route: 'flaky' };
      expect(metricSum(text, 'route_actual_request_total', sel)).toBeGreaterThan(
        metricSum(text, 'route_request_total', sel),
      );
    });

    it('replays a 1 KiB body intact and does not retry a 100 KiB one', async () => {
      const small = Buffer.alloc(1024, 'a');
      small.write('start', 0);
      const res = await fetch(url('/echo'), { method: 'POST', body: small, headers: { 'x-id': 'small' } });
      const digest = createHash('sha256').update(small).digest('hex');
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(digest);
      expect(attemptsById.get('small')).toBe(2);
      const big = Buffer.alloc(100 * 1024, 'b');
      const resBig = await fetch(url('/echo'), { method: 'POST', body: big, headers: { 'x-id': 'big' } });
      await resBig.arrayBuffer();
      expect(resBig.status).toBe(500);
      expect(attemptsById.get('big')).toBe(1);
      const bigDigest = createHash('sha256').update(big).digest('hex');
      expect(bodiesSeen.filter((d) => d === digest)).toHaveLength(2);
      expect(bodiesSeen.filter((d) => d === bigDigest)).toHaveLength(1);
    });

    it('stops retrying at the budget when everything fails, after a live budget change', async () => {
      mesh.destination.setProfile(
        SERVICE,
        profile({ retryRatio: 0, minRetriesPerSecond: 5, ttl: { seconds: 1 } }, 'second'),
      );
      // The proxy holds the new profile, budget and all, once its marker route labels a request.
      await eventually(async () => {
        await get('/marker');
        return (await scrape()).includes('rt_route="marker second"');
      });
      const sel = { direction: 'outbound', rt_route: 'fail' };
      const before = await scrape();
      const sent0 = metricSum(before, 'route_request_total', sel);
      const actual0 = metricSum(before, 'route_actual_request_total', sel);
      const start = performance.now();
      const statuses = await pool(100, 10, async () => (await get('/fail')).status);
      const seconds = (performance.now() - start) / 1000;
      expect(statuses.every((s) => s === 503)).toBe(true);
      const after = await scrape();
      const sent = metricSum(after, 'route_request_total', sel) - sent0;
      const retries = metricSum(after, 'route_actual_request_total', sel) - actual0 - sent;
      expect(sent).toBe(100);
      expect(retries).toBeGreaterThan(0);
      expect(retries).toBeLessThanOrEqual(5 * (seconds + 1) + 1);
    });
  });
});
