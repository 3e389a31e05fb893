import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BREAKER_OFF, type BreakerSettings } from '../breaker/settings.ts';
import type { ProxyError } from '../errors.ts';
import { Metrics } from '../metrics/registry.ts';
import type { EndpointMeta, Resolver, UpdateListener } from '../resolve/update.ts';
import { readTimeouts } from '../settings/listener.ts';
import { Endpoint } from './endpoint.ts';
import { Logical } from './logical.ts';

// The queue and the endpoint set of one service, driven by hand: discovery is
// a resolver whose updates the test pushes, time is fake.

const timeouts = readTimeouts(() => undefined);
const metrics = new Metrics();
const meta = (port: number): EndpointMeta => ({
  key: `10.0.0.1:${port}`,
  host: '10.0.0.1',
  port,
  weight: 1,
  labels: {},
  tls: undefined,
  opaque: false,
});

let push: UpdateListener;
const resolver: Resolver = {
  resolve(_authority, listener) {
    push = listener;
    return () => {};
  },
};
const make = (m: EndpointMeta) => new Endpoint('svc:80', m, undefined, timeouts, metrics);
const withBreaker = (m: EndpointMeta, breaker: BreakerSettings, onChange: () => void) =>
  new Endpoint('svc:80', m, undefined, timeouts, metrics, breaker, onChange);
const three = { consecutive: 3, minBackoffMs: 1000, maxBackoffMs: 4000, jitterRatio: 0 };
/** One request to `ep` answered with `status`, as the forwarders report it. */
const answer = (ep: Endpoint, status: number) => {
  ep.started();
  ep.result(status, -1);
  ep.responded(1);
  ep.finished();
};

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Logical', () => {
  it('fails a waiting request with 503 exactly at the fail-fast timeout', () => {
    const logical = new Logical('svc:80', resolver, make, { failFastMs: 3000, queueCapacity: 10 });
    const outcomes: (ProxyError | undefined)[] = [];
    logical.enqueue((_ep, err) => outcomes.push(err));
    vi.advanceTimersByTime(2999);
    expect(outcomes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(outcomes[0]?.code).toBe('WEFT_PROXY_NO_ENDPOINTS');
    expect(outcomes[0]?.status).toBe(503);
  });

  it('refuses at once beyond the queue capacity', () => {
    const logical = new Logical('svc:80', resolver, make, { failFastMs: 3000, queueCapacity: 1 });
    const codes: string[] = [];
    logical.enqueue((_ep, err) => codes.push(err?.code ?? 'served'));
    logical.enqueue((_ep, err) => codes.push(err?.code ?? 'served'));
    expect(codes).toEqual(['WEFT_PROXY_QUEUE_FULL']);
  });

  it('serves waiting requests when an endpoint appears, and drains a removed one', () => {
    const logical = new Logical('svc:80', resolver, make, { failFastMs: 3000, queueCapacity: 10 });
    const served: Endpoint[] = [];
    logical.enqueue((ep) => ep && served.push(ep));
    push({ kind: 'reset', endpoints: [meta(80), meta(81)] });
    expect(served).toHaveLength(1);
    const [a, b] = logical.endpoints as Endpoint[];
    push({ kind: 'remove', keys: ['10.0.0.1:81'] });
    expect(logical.endpoints).toEqual([a]);
    expect(b?.draining).toBe(true);
    // A repeated snapshot keeps the surviving endpoint and its load estimate.
    push({ kind: 'reset', endpoints: [meta(80)] });
    expect(logical.endpoints[0]).toBe(a);
    push({ kind: 'doesNotExist' });
    expect(logical.endpoints).toEqual([]);
    logical.close();
  });

  it('applies changed failure accrual to the endpoints it has at once, keeping them and their requests', () => {
    const logical = new Logical('svc:80', resolver, withBreaker, { failFastMs: 3000, queueCapacity: 10 });
    push({ kind: 'reset', endpoints: [meta(80), meta(81)] });
    const [a, b] = logical.endpoints as Endpoint[];
    if (!a || !b) throw new Error('two endpoints expected');
    // Off: failures never eject.
    for (let i = 0; i < 10; i++) answer(a, 500);
    expect(logical.endpoints).toEqual([a, b]);

    logical.configureBreaker(three);
    for (let i = 0; i < 3; i++) answer(a, 500);
    expect(logical.endpoints).toEqual([b]);
    // A request in flight on b when the settings change again completes on the same endpoint and pools.
    b.started();
    logical.configureBreaker({ ...three, consecutive: 2 });
    // New settings start afresh: the ejected endpoint is back, both are the endpoints they were.
    expect(logical.endpoints).toEqual([a, b]);
    expect([a.draining, b.draining]).toEqual([false, false]);
    b.result(500, -1);
    b.responded(1);
    b.finished();
    answer(b, 500);
    expect(logical.endpoints).toEqual([a]);

    // The same settings again (a profile update about something else) keep the breaker's state.
    logical.configureBreaker({ ...three, consecutive: 2 });
    expect(logical.endpoints).toEqual([a]);
    vi.advanceTimersByTime(1000);
    expect(logical.endpoints).toEqual([a, b]);

    // Off again: nothing ejects any more, and endpoints discovered later follow the current settings.
    logical.configureBreaker(BREAKER_OFF);
    push({ kind: 'add', endpoints: [meta(82)] });
    for (const ep of logical.endpoints) for (let i = 0; i < 10; i++) answer(ep, 503);
    expect(logical.endpoints).toHaveLength(3);
    expect(logical.endpoints.every((ep) => ep.breaker === undefined)).toBe(true);
    logical.close();
  });

  it('gives endpoints discovered after a change the new settings', () => {
    const logical = new Logical('svc:80', resolver, withBreaker, { failFastMs: 3000, queueCapacity: 10 });
    logical.configureBreaker(three);
    push({ kind: 'reset', endpoints: [meta(80), meta(81)] });
    const [a, b] = logical.endpoints as Endpoint[];
    if (!a || !b) throw new Error('two endpoints expected');
    for (let i = 0; i < 3; i++) answer(a, 502);
    expect(logical.endpoints).toEqual([b]);
    logical.close();
  });
});
