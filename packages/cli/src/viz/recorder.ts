import { parsePromText, type Sample } from '../metrics/prom-text.ts';
import { targetLabels, type Workload, workloadKey } from './workload.ts';

// Scrapes every registered proxy's /metrics on a fixed interval and keeps a
// bounded history of the raw text per target. Text is kept rather than parsed
// samples because it is several times smaller, and a query only ever needs
// two scrapes of each target (the first and the last in its window).

export interface RecorderOptions {
  /** Default 2000 ms, as the local mesh's Prometheus config. */
  readonly intervalMs?: number;
  /** How much history to keep; default 10 minutes. */
  readonly retentionMs?: number;
  /** Every scrape is kept this long (default 1 minute); older ones are thinned. */
  readonly fullResolutionMs?: number;
  /** Spacing of the scrapes kept beyond fullResolutionMs; default 10 s. */
  readonly thinnedIntervalMs?: number;
  /** Bound on one scrape; default min(interval, 1500 ms). */
  readonly timeoutMs?: number;
  /** A body larger than this is refused rather than held; default 4 MiB. */
  readonly maxBodyBytes?: number;
}

/**
 * Parsed scrapes kept: a refresh reads the first and last scrape of each target, so 16 covers
 * emojivoto with its canary; a busy proxy's scrape parses to about 1 MB (web's: 359 samples), so
 * this bounds them near 16 MB.
 */
const PARSED_KEPT = 16;

export interface Scrape {
  /** Epoch milliseconds when the scrape finished. */
  readonly at: number;
  readonly text: string;
}

export interface TargetHealth {
  readonly up: boolean;
  /** Epoch milliseconds of the last attempt, successful or not. */
  readonly lastAttemptAt?: number;
  readonly lastError?: string;
}

interface Target {
  readonly workload: Workload;
  readonly history: Scrape[];
  health: TargetHealth;
  inflight?: { abort: AbortController; done: Promise<void> };
}

/** A target's first and last scrapes inside a window, samples carrying the target labels. */
export interface ScrapePair {
  readonly workload: Workload;
  readonly first: { readonly at: number; readonly samples: Sample[] };
  readonly last: { readonly at: number; readonly samples: Sample[] };
}

export class Recorder {
  readonly intervalMs: number;
  readonly retentionMs: number;
  readonly #fullResolutionMs: number;
  readonly #thinnedIntervalMs: number;
  readonly #timeoutMs: number;
  readonly #maxBody: number;
  readonly #targets = new Map<string, Target>();
  /** Parsed scrapes, oldest first, at most PARSED_KEPT. */
  readonly #parsed = new Map<Scrape, Sample[]>();
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: RecorderOptions = {}) {
    this.intervalMs = opts.intervalMs ?? 2000;
    this.retentionMs = opts.retentionMs ?? 10 * 60_000;
    this.#fullResolutionMs = opts.fullResolutionMs ?? 60_000;
    this.#thinnedIntervalMs = opts.thinnedIntervalMs ?? 10_000;
    this.#timeoutMs = opts.timeoutMs ?? Math.min(this.intervalMs, 1500);
    this.#maxBody = opts.maxBodyBytes ?? 4 << 20;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.scrapeAll(), this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const t of this.#targets.values()) t.inflight?.abort.abort();
  }

  /** Registers (or replaces) a workload and scrapes it right away. */
  add(workload: Workload): void {
    const key = workloadKey(workload.namespace, workload.pod);
    this.#targets.get(key)?.inflight?.abort.abort();
    const target: Target = { workload, history: [], health: { up: false } };
    this.#targets.set(key, target);
    void this.#scrape(target);
  }

  remove(namespace: string, pod: string): boolean {
    const key = workloadKey(namespace, pod);
    this.#targets.get(key)?.inflight?.abort.abort();
    return this.#targets.delete(key);
  }

  targets(): { workload: Workload; health: TargetHealth; scrapes: number; oldestAt?: number }[] {
    return [...this.#targets.values()].map((t) => ({
      workload: t.workload,
      health: t.health,
      scrapes: t.history.length,
      oldestAt: t.history[0]?.at,
    }));
  }

  /** Scrapes every target once, in parallel; resolves when all have answered or timed out. */
  async scrapeAll(): Promise<void> {
    await Promise.all([...this.#targets.values()].map((t) => this.#scrape(t)));
  }

  /** For each target with two scrapes in the `windowMs` before `end`, the first and the last of them. */
  pairs(windowMs: number, end = Date.now()): ScrapePair[] {
    const out: ScrapePair[] = [];
    for (const t of this.#targets.values()) {
      const inWindow = t.history.filter((s) => s.at >= end - windowMs && s.at <= end);
      const first = inWindow[0];
      const last = inWindow.at(-1);
      if (!first || !last || first === last) continue;
      out.push({
        workload: t.workload,
        first: { at: first.at, samples: this.#samples(t.workload, first) },
        last: { at: last.at, samples: this.#samples(t.workload, last) },
      });
    }
    return out;
  }

  /**
   * A scrape's samples with the target's labels. A dashboard page asks for the same few scrapes
   * many times a refresh (stat, edges, routes, top), so the most recent parses are kept; they
   * are shared, never changed by their readers.
   */
  #samples(workload: Workload, scrape: Scrape): Sample[] {
    let samples = this.#parsed.get(scrape);
    if (!samples) {
      samples = withTargetLabels(parsePromText(scrape.text), targetLabels(workload));
      this.#parsed.set(scrape, samples);
      const oldest = this.#parsed.keys().next().value;
      if (this.#parsed.size > PARSED_KEPT && oldest) this.#parsed.delete(oldest);
    }
    return samples;
  }

  /** The latest scrape of one pod, as its proxy served it. */
  latest(namespace: string, pod: string): Scrape | undefined {
    return this.#targets.get(workloadKey(namespace, pod))?.history.at(-1);
  }

  /**
   * Drops scrapes past the retention, and thins those older than the full
   * resolution to one per thinned interval: a window of minutes needs only
   * its two ends, and this keeps a proxy's history near 90 scrapes, not 300.
   */
  #prune(history: Scrape[], now: number): void {
    let lastKept = Number.NEGATIVE_INFINITY;
    let write = 0;
    for (const s of history) {
      if (s.at < now - this.retentionMs) continue;
      const thinned = s.at < now - this.#fullResolutionMs;
      if (thinned && s.at - lastKept < this.#thinnedIntervalMs) continue;
      history[write++] = s;
      lastKept = s.at;
    }
    history.length = write;
  }

  /** One scrape at a time per target: a caller arriving during one waits for it. */
  #scrape(target: Target): Promise<void> {
    if (target.inflight) return target.inflight.done;
    const abort = new AbortController();
    const done = this.#fetchInto(target, abort);
    target.inflight = { abort, done };
    return done;
  }

  async #fetchInto(target: Target, abort: AbortController): Promise<void> {
    const timer = setTimeout(() => abort.abort(new Error(`no answer in ${this.#timeoutMs} ms`)), this.#timeoutMs);
    try {
      const res = await fetch(`http://${target.workload.adminAddr}/metrics`, { signal: abort.signal });
      if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
      const text = await readBounded(res, this.#maxBody);
      // Parse once now so a malformed exposition marks the target down here
      // rather than failing every later query.
      parsePromText(text);
      const at = Date.now();
      target.history.push({ at, text });
      this.#prune(target.history, at);
      target.health = { up: true, lastAttemptAt: at };
    } catch (err) {
      const reason = abort.signal.aborted ? abort.signal.reason : err;
      target.health = { up: false, lastAttemptAt: Date.now(), lastError: (reason as Error)?.message ?? String(reason) };
    } finally {
      clearTimeout(timer);
      target.inflight = undefined;
    }
  }
}

async function readBounded(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > max) throw new Error(`/metrics body of ${declared} bytes is over the ${max} byte bound`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.byteLength;
    if (size > max) throw new Error(`/metrics body is over the ${max} byte bound`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Adds the target labels as Prometheus does with honor_labels: false: a
 * scraped label of the same name is kept as exported_<name>.
 */
export function withTargetLabels(samples: Sample[], target: Readonly<Record<string, string>>): Sample[] {
  return samples.map((s) => {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.labels)) labels[k in target ? `exported_${k}` : k] = v;
    return { name: s.name, value: s.value, labels: Object.assign(labels, target) };
  });
}
