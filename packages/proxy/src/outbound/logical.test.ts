import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../app/env.ts';
import type { ProxyError } from '../errors.ts';
import { Metrics } from '../metrics/registry.ts';
import type { EndpointMeta, Resolver, UpdateListener } from '../resolve/update.ts';
import { Endpoint } from './endpoint.ts';
import { Logical } from './logical.ts';

// The queue and the endpoint set of one service, driven by hand: discovery is
// a resolver whose updates the test pushes, time is fake.

const timeouts = readConfig(() => undefined).timeouts;
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
});
