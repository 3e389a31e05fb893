import type { Child } from './child.ts';
import { FuzzError, FuzzErrorCode } from './errors.ts';
import type { FuzzCase } from './fuzz-case.ts';
import { generateCase } from './generate.ts';
import { knownShapes } from './known-shapes.ts';
import { caseSeed } from './prng.ts';
import type { Profile } from './profile.ts';
import { replaysFor } from './replays.ts';
import { failureReport, type SentCase } from './report.ts';
import { type Endpoint, overTls, sendCase } from './send-case.ts';

/** One listener of one process, and the real request that shows the process still serves. */
export interface Target {
  /** Stable name, part of every case's seed: "proxy-inbound", "identity-grpc" … */
  readonly name: string;
  readonly child: Child;
  readonly endpoint: Endpoint;
  readonly profile: Profile;
  /** Rejects unless the process answers a real request correctly. */
  check(): Promise<void>;
}

export interface RunOptions {
  readonly seed: number;
  readonly seconds: number;
  /** Connections open at once. */
  readonly concurrency: number;
  /** Connections between two liveness checks. */
  readonly batch: number;
  /** How long a connection may stay open once its bytes are written. */
  readonly lingerMs: number;
  /** The most the process's RSS may grow over the run. */
  readonly rssGrowthBytes: number;
  /** The most file descriptors the process may hold beyond its count before the run, once every fuzz connection closed. */
  readonly descriptorGrowth: number;
  readonly log: (line: string) => void;
}

export interface RunResult {
  readonly target: string;
  readonly connections: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
}

// A liveness check answers in milliseconds; a loaded 2-core machine gets room.
const CHECK_TIMEOUT_MS = 15_000;
// How long a process gets to close its side of the connections the fuzzer closed.
const DESCRIPTOR_SETTLE_MS = 10_000;

async function pool(items: readonly SentCase[], concurrency: number, run: (c: SentCase) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++] as SentCase);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

function withTimeout(check: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([check, late]).finally(() => clearTimeout(timer));
}

/**
 * Fuzzes one target for `seconds`: the known crash shapes and the replays of
 * earlier finds first, then seeded random cases in batches, checking between
 * batches that the process is alive and answers, and at the end that its
 * memory and open descriptors grew less than their bounds.
 */
export async function fuzzTarget(target: Target, o: RunOptions): Promise<RunResult> {
  const { child } = target;
  o.log(`fuzz ${target.name}: seed ${o.seed}, ${o.seconds} s, pid ${child.pid}`);
  let lastCases: readonly SentCase[] = [];
  const fail = async (code: FuzzErrorCode, problem: string): Promise<never> => {
    // Give a dying process a moment to finish writing its stack trace.
    await Promise.race([child.exited, new Promise((r) => setTimeout(r, 1000))]);
    const report = failureReport({ target: target.name, seed: o.seed, problem, lastCases, output: child.output });
    throw new FuzzError(code, report);
  };
  const stillServes = async () => {
    if (!child.alive) return fail(FuzzErrorCode.TargetDown, `${child.name} ended (${child.exitStatus})`);
    try {
      await withTimeout(target.check(), CHECK_TIMEOUT_MS);
    } catch (err) {
      const state = child.alive ? 'is alive' : `ended (${child.exitStatus})`;
      return fail(FuzzErrorCode.TargetDown, `${child.name} ${state} but failed its check: ${(err as Error).message}`);
    }
  };
  const sent = (index: number, fuzzCase: FuzzCase): SentCase => ({
    index,
    fuzzCase,
    tls: overTls(target.endpoint, index, fuzzCase),
  });
  const send = (c: SentCase) => sendCase(target.endpoint, c.fuzzCase, c.tls, o.lingerMs);

  await stillServes();
  const rssBefore = child.rss();
  const descriptorsBefore = child.descriptors();
  // Each shape twice, so a listener that takes TLS and plaintext gets it both ways.
  lastCases = knownShapes(target.profile).flatMap((fuzzCase) => [sent(-1, fuzzCase), sent(-2, fuzzCase)]);
  await pool(lastCases, o.concurrency, send);
  await stillServes();
  for (const replay of replaysFor(target.name)) {
    const fuzzCase = generateCase(caseSeed(replay.seed, target.name, replay.index), target.profile);
    lastCases = [{ ...sent(replay.index, fuzzCase), seed: replay.seed }];
    await pool(lastCases, 1, send);
    await stillServes();
  }

  const started = Date.now();
  let index = 0;
  while (Date.now() - started < o.seconds * 1000) {
    const batch: SentCase[] = [];
    for (let i = 0; i < o.batch; i++, index++) {
      batch.push(sent(index, generateCase(caseSeed(o.seed, target.name, index), target.profile)));
    }
    lastCases = batch;
    await pool(batch, o.concurrency, send);
    await stillServes();
  }
  const rssAfter = child.rss();
  const grew = rssAfter - rssBefore;
  const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
  o.log(`fuzz ${target.name}: ${index} connections, RSS ${mib(rssBefore)} → ${mib(rssAfter)}, seed ${o.seed}`);
  if (grew > o.rssGrowthBytes) {
    await fail(FuzzErrorCode.MemoryGrowth, `RSS grew by ${mib(grew)}, more than the bound of ${mib(o.rssGrowthBytes)}`);
  }
  const bound = descriptorsBefore + o.descriptorGrowth;
  const settled = Date.now() + DESCRIPTOR_SETTLE_MS;
  while (child.descriptors() > bound && Date.now() < settled) await new Promise((r) => setTimeout(r, 200));
  const descriptors = child.descriptors();
  if (descriptors > bound) {
    await fail(
      FuzzErrorCode.DescriptorGrowth,
      `${descriptors} file descriptors open ${DESCRIPTOR_SETTLE_MS / 1000} s after the run, ${descriptorsBefore} before it (bound: ${o.descriptorGrowth} more)`,
    );
  }
  return { target: target.name, connections: index, rssBefore, rssAfter };
}
