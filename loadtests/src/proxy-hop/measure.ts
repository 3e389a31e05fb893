import { type H2Kind, h2load, type MaxThroughput, wrk } from './c-load.ts';
import { type OpenLoopResult, openLoop } from './open-loop.ts';
import { type ProcessUse, sampleUse } from './proc-stats.ts';

// The phases of one arm: open-loop latency at fixed rates (Node generator,
// latency from when each request was due), then closed-loop maximum
// throughput with a C generator, sampling the pair's memory and CPU.

export const RATES = [500, 1000, 2000];
export const OPEN_MS = 5000;
export const CLOSED_S = 5;
export const WRK_CONNECTIONS = 32;
export const H2_CLIENTS = 4;
export const H2_STREAMS = 16;

/** One proxy of a pair over a phase. */
export interface ProxyUse {
  readonly peakRssMiB: number;
  /** CPU time per 1000 requests that went through, in ms. */
  readonly cpuMsPer1k: number;
}

export interface Pair<T> {
  readonly outbound: T;
  readonly inbound: T;
}

/** A proxy pair's processes: [outbound, inbound]. */
export type PairPids = readonly [number, number];

export interface H1Arm {
  readonly name: string;
  readonly open: readonly OpenLoopResult[];
  /** The pair at 1000 req/s (open loop). */
  readonly at1k: Pair<ProxyUse> | undefined;
  readonly max: MaxThroughput;
  /** The pair at its maximum (closed loop). */
  readonly atMax: Pair<ProxyUse> | undefined;
}

export interface H2Arm {
  readonly name: string;
  readonly kind: H2Kind;
  readonly max: MaxThroughput;
  readonly atMax: Pair<ProxyUse> | undefined;
}

function perRequest(use: ProcessUse[], requests: number): Pair<ProxyUse> {
  const one = (u: ProcessUse | undefined): ProxyUse => ({
    peakRssMiB: u?.peakRssMiB ?? Number.NaN,
    cpuMsPer1k: ((u?.cpuSeconds ?? Number.NaN) * 1e6) / Math.max(1, requests),
  });
  return { outbound: one(use[0]), inbound: one(use[1]) };
}

/** Runs `phase` while sampling `pids`; the pair's use per request it reports. */
async function sampled<T>(
  pids: PairPids | undefined,
  phase: () => Promise<T>,
  requests: (result: T) => number,
): Promise<{ result: T; use: Pair<ProxyUse> | undefined }> {
  const stop = pids ? sampleUse(pids) : undefined;
  const result = await phase();
  const use = stop?.();
  return { result, use: use ? perRequest(use, requests(result)) : undefined };
}

export async function measureH1(
  name: string,
  url: string,
  pids: PairPids | undefined,
  log: (line: string) => void,
): Promise<H1Arm> {
  log(`${name}: warming up`);
  await wrk(url, 8, 2);
  const open: OpenLoopResult[] = [];
  let at1k: Pair<ProxyUse> | undefined;
  for (const rate of RATES) {
    const { result, use } = await sampled(
      rate === 1000 ? pids : undefined,
      () => openLoop(url, rate, OPEN_MS),
      (r) => r.sent,
    );
    open.push(result);
    if (use) at1k = use;
    log(
      `${name}: ${rate} req/s open loop: p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${result.ok}/${result.sent} ok`,
    );
  }
  const { result: max, use: atMax } = await sampled(
    pids,
    () => wrk(url, WRK_CONNECTIONS, CLOSED_S),
    (r) => r.requests,
  );
  log(`${name}: wrk max ${Math.round(max.requestsPerSecond)} req/s, ${max.failed} failed`);
  return { name, open, at1k, max, atMax };
}

export async function measureH2(
  name: string,
  kind: H2Kind,
  url: string,
  pids: PairPids | undefined,
  dir: string,
  log: (line: string) => void,
): Promise<H2Arm> {
  await h2load(url, kind, H2_CLIENTS, H2_STREAMS, 1, dir);
  const { result: max, use: atMax } = await sampled(
    pids,
    () => h2load(url, kind, H2_CLIENTS, H2_STREAMS, CLOSED_S, dir),
    (r) => r.requests,
  );
  log(`${name} ${kind}: h2load max ${Math.round(max.requestsPerSecond)} req/s, ${max.failed} failed`);
  return { name, kind, max, atMax };
}
