import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDestination } from './support/destination-server.ts';
import { FlakyPair } from './support/flaky-pair.ts';
import { startSidecar } from './support/mesh.ts';

// Failure accrual through a real sidecar: an endpoint that starts failing is
// ejected after N consecutive failures, and readmitted by a successful probe
// once it recovers.

const SVC = 'emoji-svc.emojivoto.svc.cluster.local:8080';
let destination: TestDestination;
let sidecar: Awaited<ReturnType<typeof startSidecar>>;
let port: number;
const pair = new FlakyPair();
const { hits } = pair;

beforeAll(async () => {
  const endpoints = await pair.start();
  destination = new TestDestination();
  await destination.start();
  destination.set(SVC, endpoints);
  sidecar = await startSidecar(destination, {
    WEFT_PROXY_OUTBOUND_UPSTREAMS: `${SVC}=127.0.0.1:0`,
    WEFT_PROXY_FAILURE_ACCRUAL_CONSECUTIVE: '5',
    WEFT_PROXY_FAILURE_ACCRUAL_MIN_BACKOFF: '300ms',
    WEFT_PROXY_FAILURE_ACCRUAL_MAX_BACKOFF: '1s',
  });
  port = (sidecar.addresses.upstreams.get(SVC) as AddressInfo).port;
});

afterAll(async () => {
  await sidecar.close();
  destination.stop();
  pair.close();
});

const call = async () => {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  await res.text();
  return res.status;
};

describe('failure accrual', () => {
  it('ejects a failing endpoint and readmits it after it recovers', async () => {
    // Four at a time, so that both endpoints carry load under P2C.
    const batch = async () => Promise.all([call(), call(), call(), call()]);
    for (let i = 0; i < 5; i++) await batch();
    expect(hits.a).toBeGreaterThan(0);
    pair.failing = true;
    let failures = 0;
    for (let i = 0; i < 100 && failures < 5; i++) failures += (await batch()).filter((s) => s !== 200).length;
    expect(failures).toBeGreaterThanOrEqual(5);
    // Ejected: the next requests succeed, bar a failed probe after the 300 ms backoff.
    const start = hits.a;
    let late = 0;
    for (let i = 0; i < 10; i++) late += (await batch()).filter((s) => s !== 200).length;
    expect(late).toBeLessThanOrEqual(2);
    expect(hits.a - start).toBeLessThanOrEqual(2);

    pair.failing = false;
    // Readmitted by the first probe after the backoff (at most 1 s), then picked as before.
    const before = hits.a;
    const deadline = Date.now() + 10_000;
    while (hits.a - before <= 5 && Date.now() < deadline) expect(await batch()).toEqual([200, 200, 200, 200]);
    expect(hits.a - before).toBeGreaterThan(5);
  });
});
