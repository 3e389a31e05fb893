import { setTimeout as delay } from 'node:timers/promises';
import type { TapEvent } from '@weft/api/tap';
import type { CommandIo } from '../command.ts';
import { stopOnInterrupt } from '../interrupt.ts';
import { formatMicros, renderJson, renderTable } from '../output/table.ts';
import { GRPC_FAILURES } from './grpc-status.ts';
import { type TapCredentials, tapCredentials, watchTap } from './tap-client.ts';
import type { MeshInfo, Workload } from './workload.ts';

// `weft top` from tap, as Linkerd computes it: every request a tapped proxy
// reports, grouped by (source, destination, method, path), with its count,
// the fastest and slowest and the last latency, and the success rate
// (HTTP status below 500 and a gRPC status Linkerd does not count as failure).

export interface TapTopRow {
  readonly source: string;
  readonly destination: string;
  readonly method: string;
  readonly path: string;
  count: number;
  successes: number;
  bestUs: number;
  worstUs: number;
  lastUs: number;
}

export type Identities = ReadonlyMap<string, { namespace: string; deployment: string }>;

export class TapTop {
  readonly #rows = new Map<string, TapTopRow>();
  readonly #pending = new Map<string, TapEvent>();
  readonly #identities: Identities;
  /** Which proxy direction counts: both for one workload, inbound only when every proxy is tapped. */
  readonly #directions: ReadonlySet<'in' | 'out'>;
  readonly #self: string | undefined;

  constructor(identities: Identities, opts: { self?: string; inboundOnly: boolean }) {
    this.#identities = identities;
    this.#self = opts.self;
    this.#directions = new Set(opts.inboundOnly ? ['in'] : ['in', 'out']);
  }

  #name(id: string | undefined, fallback: string): string {
    if (!id) return fallback;
    const w = this.#identities.get(id);
    return w ? `deploy/${w.deployment}` : (id.split('.')[0] as string);
  }

  add(e: TapEvent, pod: { deployment: string }): void {
    if (!this.#directions.has(e.proxy)) return;
    const key = `${pod.deployment} ${e.id}`;
    if (e.type === 'req') {
      // Bounded: requests that never end are forgotten beyond 10 000.
      if (this.#pending.size < 10_000) this.#pending.set(key, e);
      return;
    }
    if (e.type !== 'end') return;
    this.#pending.delete(key);
    const self = this.#self ?? `deploy/${pod.deployment}`;
    const source = e.proxy === 'in' ? this.#name(e.clientId, e.src.replace(/:\d+$/, '')) : self;
    const destination = e.proxy === 'in' ? self : this.#name(e.serverId, e.authority || e.dst);
    const path = e.path.split('?')[0] as string;
    const rowKey = `${source}\u0000${destination}\u0000${e.method}\u0000${path}`;
    let row = this.#rows.get(rowKey);
    if (!row) {
      row = {
        source,
        destination,
        method: e.method,
        path,
        count: 0,
        successes: 0,
        bestUs: Number.POSITIVE_INFINITY,
        worstUs: 0,
        lastUs: 0,
      };
      this.#rows.set(rowKey, row);
    }
    const us = e.sinceRequestInitUs ?? 0;
    const failed =
      (e.status ?? 0) >= 500 ||
      e.status === 0 ||
      e.resetCode !== undefined ||
      (e.grpcStatus !== undefined && GRPC_FAILURES.has(e.grpcStatus));
    row.count++;
    if (!failed) row.successes++;
    row.bestUs = Math.min(row.bestUs, us);
    row.worstUs = Math.max(row.worstUs, us);
    row.lastUs = us;
  }

  /** Busiest first. */
  rows(): TapTopRow[] {
    return [...this.#rows.values()].sort((a, b) => b.count - a.count || a.path.localeCompare(b.path));
  }
}

export interface TapTopRun {
  readonly workloads: readonly (Workload & { tapAddr: string })[];
  readonly identities: Identities;
  readonly creds: TapCredentials;
  /** The deployment asked for; undefined for every deployment of the namespace. */
  readonly deployment: string | undefined;
  readonly signal: AbortSignal;
}

/** Taps every given proxy until the signal aborts; the returned aggregate fills as events arrive. */
export function startTapTop(run: TapTopRun): { top: TapTop; done: Promise<void> } {
  const top = new TapTop(run.identities, {
    self: run.deployment ? `deploy/${run.deployment}` : undefined,
    inboundOnly: run.deployment === undefined,
  });
  const done = Promise.all(
    run.workloads.map((w) =>
      watchTap(w, run.creds, {
        match: {},
        maxRps: 100,
        signal: run.signal,
        onEvent: (e) => top.add(e, w),
      }),
    ),
  ).then(() => undefined);
  return { top, done };
}

export function renderTapTop(rows: readonly TapTopRow[], proxies: number): string {
  const header = `(from tap of ${proxies} ${proxies === 1 ? 'proxy' : 'proxies'})\n`;
  const table = rows.map((r) => [
    r.source,
    r.destination,
    r.method,
    r.path,
    String(r.count),
    formatMicros(r.bestUs),
    formatMicros(r.worstUs),
    formatMicros(r.lastUs),
    `${((100 * r.successes) / r.count).toFixed(2)}%`,
  ]);
  return `${header}${renderTable(['Source', 'Destination', 'Method', 'Path', 'Count', 'Best', 'Worst', 'Last', 'Success Rate'], table)}`;
}

/** Credentials for tap, or undefined when this terminal has none (top then falls back to metrics). */
export function tapCredentialsIfAny(
  env: Readonly<Record<string, string | undefined>>,
  mesh: MeshInfo,
): TapCredentials | undefined {
  try {
    return tapCredentials(env, mesh);
  } catch {
    return undefined;
  }
}

export interface TapTopOptions extends Omit<TapTopRun, 'signal'> {
  readonly once: boolean;
  readonly json: boolean;
  readonly windowSeconds: number;
  readonly maxRows: number;
  readonly refreshMs: number;
}

/** `weft top` from tap: one table after the window with --once, else a table every refresh until stopped. */
export async function runTapTop(io: CommandIo, o: TapTopOptions): Promise<number> {
  const interrupt = stopOnInterrupt(io);
  const stopped = interrupt.controller;
  const { top, done } = startTapTop({ ...o, signal: stopped.signal });
  let failure: unknown;
  done.catch((err) => {
    failure = err;
    stopped.abort();
  });
  const render = () => {
    const rows = top.rows().slice(0, o.maxRows);
    return o.json ? renderJson(rows) : renderTapTop(rows, o.workloads.length);
  };
  try {
    if (o.once) {
      await delay(o.windowSeconds * 1000, undefined, { signal: stopped.signal }).catch(() => {});
      stopped.abort();
      if (failure) throw failure;
      io.stdout.write(render());
      return 0;
    }
    while (!stopped.signal.aborted) {
      await delay(o.refreshMs, undefined, { signal: stopped.signal }).catch(() => {});
      if (stopped.signal.aborted) break;
      io.stdout.write(`\u001b[2J\u001b[H${render()}`);
    }
    if (failure) throw failure;
    return 0;
  } finally {
    stopped.abort();
    interrupt.dispose();
  }
}
