import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { BREAKER_OFF, type BreakerSettings } from '../src/breaker/settings.ts';
import type { ProfileRoute, RetryBudget } from '../src/profile/profile.ts';
import { AUTHORITY, Rig, sha256, TRANSPORTS, type Transport } from './support/forward-rig.ts';
import { metricSum } from './support/metrics-text.ts';

// Every route feature of the profile on every transport that carries a
// request: HTTP/1 (h1), HTTP/2 and gRPC (h2), HTTP/1 upgraded to HTTP/2
// between proxies (h1-over-h2), and such a stream sent to an HTTP/1 app
// (h2-as-h1). Real sockets: a client, a listener that forwards with the
// route's policy to a real endpoint (pools, load estimate, breaker), and a
// scripted app. Each case builds its own route table, budget and metrics.

const SERVICE_LABELS = { direction: 'outbound', dst: AUTHORITY };
const FIVE_XX = [{ condition: { kind: 'status' as const, min: 500, max: 599 }, isFailure: true }];
/** Enough retries that only the route decides. */
const GENEROUS: RetryBudget = { ratio: 1, minPerSecond: 100, ttlMs: 10_000 };
/** No share of requests: one retry over the ten-second window a case runs in. */
const ONE_RETRY: RetryBudget = { ratio: 0, minPerSecond: 0.1, ttlMs: 10_000 };

const route = (path: string, extra: Partial<ProfileRoute>): ProfileRoute => ({
  condition: { kind: 'path', regex: path },
  responseClasses: [],
  labels: { route: path },
  isRetryable: false,
  timeoutMs: 0,
  backends: [],
  ...extra,
});

const ROUTES: readonly ProfileRoute[] = [
  route('/flaky', { isRetryable: true, responseClasses: FIVE_XX }),
  route('/grpc-flaky', { isRetryable: true }),
  route('/fail', { isRetryable: true }),
  route('/slow', { timeoutMs: 300 }),
];

let rigs: Rig[] = [];
afterEach(() => {
  for (const rig of rigs) rig.close();
  rigs = [];
});

/** `budget` null: the server side's route table. */
async function rig(
  transport: Transport,
  budget: RetryBudget | null = GENEROUS,
  breaker: BreakerSettings = BREAKER_OFF,
) {
  const r = await Rig.start(transport, ROUTES, budget ?? undefined, breaker);
  rigs.push(r);
  return r;
}

const routeMetric = (text: string, name: string, rt: string, more: Record<string, string> = {}) =>
  metricSum(text, name, { ...SERVICE_LABELS, rt_route: rt, ...more });

describe.each(TRANSPORTS)('route features over $name', (transport) => {
  it('retries a failure-classified status: the client gets the second attempt, both are counted as attempts', async () => {
    const r = await rig(transport);
    const answer = await r.ask('/flaky', { headers: { 'x-id': 'a' } });
    expect(answer.status).toBe(200);
    expect(r.app.attempts.get('a')).toBe(2);
    const text = r.metricsText();
    expect(routeMetric(text, 'route_request_total', '/flaky')).toBe(1);
    expect(routeMetric(text, 'route_actual_request_total', '/flaky')).toBe(2);
    expect(routeMetric(text, 'route_response_total', '/flaky', { classification: 'success' })).toBe(1);
    expect(routeMetric(text, 'route_response_total', '/flaky', { classification: 'failure' })).toBe(0);
    expect(routeMetric(text, 'route_actual_response_total', '/flaky', { status_code: '500' })).toBe(1);
    expect(routeMetric(text, 'route_actual_response_total', '/flaky', { status_code: '200' })).toBe(1);
  });

  it('replays a 1 KiB body intact, and does not retry a body over 64 KiB', async () => {
    const r = await rig(transport);
    const small = Buffer.alloc(1024, 'a');
    const ok = await r.ask('/flaky', { method: 'POST', body: small, headers: { 'x-id': 'small' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe(sha256(small));
    expect(r.app.digests).toEqual([sha256(small), sha256(small)]);
    const big = Buffer.alloc(100 * 1024, 'b');
    const failed = await r.ask('/flaky', { method: 'POST', body: big, headers: { 'x-id': 'big' } });
    expect(failed.status).toBe(500);
    expect(r.app.attempts.get('big')).toBe(1);
  });

  it('stops retrying once the budget is spent', async () => {
    const r = await rig(transport, ONE_RETRY);
    for (let i = 0; i < 5; i++) expect((await r.ask('/fail', { headers: { 'x-id': `f${i}` } })).status).toBe(503);
    const attempts = [...r.app.attempts.values()].reduce((a, b) => a + b, 0);
    expect(attempts).toBe(6);
    const text = r.metricsText();
    expect(routeMetric(text, 'route_request_total', '/fail')).toBe(5);
    expect(routeMetric(text, 'route_actual_request_total', '/fail')).toBe(6);
  });

  it("answers 504 at the route's timeout and cancels the attempt at the app", async () => {
    const r = await rig(transport);
    const cancelled = once(r.app.events, 'cancelled');
    const start = performance.now();
    const answer = await r.ask('/slow');
    expect(performance.now() - start).toBeGreaterThanOrEqual(290);
    expect(answer.status).toBe(504);
    expect(answer.proxyError).toBe('WEFT_PROXY_RESPONSE_TIMEOUT');
    await cancelled;
    const text = r.metricsText();
    expect(routeMetric(text, 'route_response_total', '/slow', { status_code: '504' })).toBe(1);
  });

  it('tells the breaker of every attempt and leaves the load estimate balanced', async () => {
    // Two consecutive failures eject: one request whose retry fails too is enough.
    const r = await rig(transport, ONE_RETRY, { ...BREAKER_OFF, consecutive: 2, minBackoffMs: 60_000 });
    expect((await r.ask('/fail', { headers: { 'x-id': 'b' } })).status).toBe(503);
    expect(r.app.attempts.get('b')).toBe(2);
    expect(r.endpoint.breaker?.available).toBe(false);
    expect(r.endpoint.inflight).toBe(0);
    expect(r.endpoint.ewma.pending).toBe(0);
    const text = r.metricsText();
    expect(metricSum(text, 'request_total', { authority: AUTHORITY })).toBe(2);
  });

  it("counts on the server side's route series, where a failure is not retried", async () => {
    const r = await rig(transport, null);
    expect((await r.ask('/flaky', { headers: { 'x-id': 's' } })).status).toBe(500);
    expect(r.app.attempts.get('s')).toBe(1);
    const inbound = { direction: 'inbound', dst: AUTHORITY, rt_route: '/flaky' };
    const text = r.metricsText();
    expect(metricSum(text, 'route_request_total', inbound)).toBe(1);
    expect(metricSum(text, 'route_response_total', { ...inbound, status_code: '500', classification: 'failure' })).toBe(
      1,
    );
  });

  it('counts a request on an unmatched route once, with an empty route label', async () => {
    const r = await rig(transport);
    expect((await r.ask('/other')).status).toBe(200);
    const text = r.metricsText();
    expect(routeMetric(text, 'route_request_total', '')).toBe(1);
    expect(routeMetric(text, 'route_actual_request_total', '')).toBe(1);
    expect(routeMetric(text, 'route_response_total', '', { status_code: '200', classification: 'success' })).toBe(1);
  });
});

describe.each(TRANSPORTS.filter((t) => t.front === 'h2' && t.back === 'h2'))('gRPC over $name', (transport) => {
  it('retries a trailers-only failing gRPC status and answers with the OK attempt', async () => {
    const r = await rig(transport);
    const answer = await r.ask('/grpc-flaky', {
      method: 'POST',
      headers: { 'content-type': 'application/grpc', 'x-id': 'g' },
    });
    expect(answer.status).toBe(200);
    expect(answer.grpcStatus).toBe('0');
    expect(r.app.attempts.get('g')).toBe(2);
    const text = r.metricsText();
    expect(routeMetric(text, 'route_actual_response_total', '/grpc-flaky', { grpc_status: '14' })).toBe(1);
    expect(routeMetric(text, 'route_response_total', '/grpc-flaky', { grpc_status: '0' })).toBe(1);
  });
});
