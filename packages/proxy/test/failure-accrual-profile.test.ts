import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DestinationProfile, TestDestination } from './support/destination-server.ts';
import { FlakyPair } from './support/flaky-pair.ts';
import { startSidecar } from './support/mesh.ts';

// Failure accrual set per service by the control plane: a real sidecar whose
// profile stream, from a real gRPC destination server, starts carrying the
// Service's failure accrual and later stops. The proxy has none of its own
// (no WEFT_PROXY_FAILURE_ACCRUAL_* variables), so any ejection came through
// the profile.

const SVC = 'voting-svc.emojivoto.svc.cluster.local:8080';
const FQN = 'voting-svc.emojivoto.svc.cluster.local';
const ms = (n: number) => ({ seconds: Math.floor(n / 1000), nanos: (n % 1000) * 1e6 });
/** What the control plane sends for the Service's annotations; penalties short and without jitter, to be quick and exact. */
const WITH_BREAKER: DestinationProfile = {
  fullyQualifiedName: FQN,
  failureAccrual: {
    consecutiveFailures: { maxFailures: 3, backoff: { minBackoff: ms(500), maxBackoff: ms(1000), jitterRatio: 0 } },
  },
};
/** The annotations removed: the same profile without failure accrual. */
const WITHOUT_BREAKER: DestinationProfile = { fullyQualifiedName: FQN };

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
  destination.setProfile(SVC, WITHOUT_BREAKER);
  sidecar = await startSidecar(destination, { WEFT_PROXY_OUTBOUND_UPSTREAMS: `${SVC}=127.0.0.1:0` });
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
/** Four at a time, so that both endpoints carry load under P2C. */
const batch = () => Promise.all([call(), call(), call(), call()]);

/** Sends traffic until 20 requests in a row succeed without reaching a; the time that took, or undefined past `limitMs`. */
async function untilEjected(limitMs: number): Promise<number | undefined> {
  const start = Date.now();
  while (Date.now() - start < limitMs) {
    const before = hits.a;
    let ok = true;
    for (let i = 0; i < 5; i++) ok = (await batch()).every((s) => s === 200) && ok;
    if (ok && hits.a === before) return Date.now() - start;
  }
  return undefined;
}

describe('failure accrual from the profile', () => {
  it('ejects a failing endpoint only once the profile carries it, and readmits it after it recovers', async () => {
    pair.failing = true;
    // No failure accrual yet: a keeps getting requests however often it fails (the breaker will eject after 3).
    const start = hits.a;
    let failures = 0;
    for (let i = 0; i < 100 && hits.a - start < 20; i++) failures += (await batch()).filter((s) => s !== 200).length;
    expect(hits.a - start).toBeGreaterThanOrEqual(20);
    expect(failures).toBe(hits.a - start);

    const slow = fetch(`http://127.0.0.1:${port}/slow`).then((res) => res.text());
    await new Promise((resolve) => setTimeout(resolve, 50));
    destination.setProfile(SVC, WITH_BREAKER);
    const ejectedAfter = await untilEjected(3000);
    expect(ejectedAfter).toBeDefined();
    expect(ejectedAfter).toBeLessThan(1000);
    // The request in flight while the settings changed was answered.
    expect(await slow).toBe('slow and whole');

    pair.failing = false;
    // The first probe after the penalty (500 ms, then 1 s at most) readmits a; nothing fails meanwhile.
    const before = hits.a;
    const deadline = Date.now() + 3000;
    while (hits.a - before <= 5 && Date.now() < deadline) expect(await batch()).toEqual([200, 200, 200, 200]);
    expect(hits.a - before).toBeGreaterThan(5);
  });

  it('turns the breaker off within a second of the profile dropping it, on the same proxy', async () => {
    pair.failing = true;
    expect(await untilEjected(3000)).toBeDefined();

    destination.setProfile(SVC, WITHOUT_BREAKER);
    const before = hits.a;
    const start = Date.now();
    // Ejected, a would take at most one probe per penalty (500 ms, 1 s): ten requests mean the breaker is gone.
    while (hits.a - before < 10 && Date.now() - start < 1000) await batch();
    expect(hits.a - before).toBeGreaterThanOrEqual(10);
    // One discovery stream all along: the service was not rebuilt, the proxy not restarted.
    expect(destination.requests.filter((path) => path === SVC)).toHaveLength(1);
  });
});
