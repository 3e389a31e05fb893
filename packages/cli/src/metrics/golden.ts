import type { Sample } from './prom-text.ts';
import { type Bucket, histogramQuantile } from './quantile.ts';

/** The golden signals of one group of traffic over a window, as `weft stat` shows them. */
export interface GoldenRow {
  /** The values of the labels the rows are grouped by. */
  readonly key: Readonly<Record<string, string>>;
  readonly responses: number;
  readonly successes: number;
  /** Successes / responses; undefined when nothing answered in the window. */
  readonly successRate: number | undefined;
  readonly rps: number;
  readonly latencyMs: LatencyMs;
  readonly tcpOpenConnections: number;
  /** Bytes per second read and written by the matched TCP connections (`-o wide`). */
  readonly tcpReadBytesRate: number;
  readonly tcpWriteBytesRate: number;
}

/** Which response families a query reads: the proxy's, per route, or per route attempt. */
export type RouteFamily = '' | 'route_' | 'route_actual_';

export interface LatencyMs {
  readonly p50?: number;
  readonly p95?: number;
  readonly p99?: number;
  /** Upper bounds of the lowest and highest buckets that got an observation (`weft top`'s Best and Worst). */
  readonly best?: number;
  readonly worst?: number;
}

export interface GoldenQuery {
  /** Labels that make a row, e.g. ['namespace', 'deployment']. */
  readonly groupBy: readonly string[];
  /** Which series count, e.g. inbound direction only. */
  readonly where: (labels: Readonly<Record<string, string>>) => boolean;
  /** '' for the proxy's families, 'route_' for per-route ones, 'route_actual_' for per-route attempts (with retries). */
  readonly family?: RouteFamily;
  /** Which tcp_open_connections series count; default `where`. */
  readonly tcpWhere?: (labels: Readonly<Record<string, string>>) => boolean;
}

/**
 * Computes golden signals from two scrapes of the same proxies, `window`
 * seconds apart. Counters that went down were reset (a restarted proxy), and
 * count from zero, as Prometheus's increase() treats them.
 */
export function goldenRows(before: Sample[], after: Sample[], windowSeconds: number, q: GoldenQuery): GoldenRow[] {
  const family = q.family ?? '';
  const previous = new Map(before.map((s) => [seriesId(s), s.value]));
  const increase = (s: Sample) => {
    const was = previous.get(seriesId(s)) ?? 0;
    return s.value >= was ? s.value - was : s.value;
  };
  const groups = new Map<string, Acc>();
  const group = (labels: Readonly<Record<string, string>>) => {
    const key = Object.fromEntries(q.groupBy.map((l) => [l, labels[l] ?? '']));
    const id = JSON.stringify(key);
    let acc = groups.get(id);
    if (!acc) {
      acc = { key, responses: 0, successes: 0, buckets: new Map(), tcp: 0, readBytes: 0, writeBytes: 0 };
      groups.set(id, acc);
    }
    return acc;
  };
  const tcpWhere = q.tcpWhere ?? q.where;
  for (const s of after) {
    if (family === '' && s.name === 'tcp_open_connections') {
      if (tcpWhere(s.labels)) group(s.labels).tcp += s.value;
      continue;
    }
    if (family === '' && (s.name === 'tcp_read_bytes_total' || s.name === 'tcp_write_bytes_total')) {
      if (!tcpWhere(s.labels)) continue;
      const acc = group(s.labels);
      if (s.name === 'tcp_read_bytes_total') acc.readBytes += increase(s);
      else acc.writeBytes += increase(s);
      continue;
    }
    if (!q.where(s.labels)) continue;
    if (s.name === `${family}response_total`) {
      const acc = group(s.labels);
      const n = increase(s);
      acc.responses += n;
      if (s.labels.classification === 'success') acc.successes += n;
    } else if (s.name === `${family}response_latency_ms_bucket`) {
      const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
      const buckets = group(s.labels).buckets;
      buckets.set(le, (buckets.get(le) ?? 0) + increase(s));
    }
  }
  return [...groups.values()].map((acc) => toRow(acc, windowSeconds));
}

interface Acc {
  key: Record<string, string>;
  responses: number;
  successes: number;
  buckets: Map<number, number>;
  tcp: number;
  readBytes: number;
  writeBytes: number;
}

function toRow(acc: Acc, windowSeconds: number): GoldenRow {
  const buckets: Bucket[] = [...acc.buckets].map(([le, count]) => ({ le, count }));
  return {
    key: acc.key,
    responses: acc.responses,
    successes: acc.successes,
    successRate: acc.responses > 0 ? acc.successes / acc.responses : undefined,
    rps: windowSeconds > 0 ? acc.responses / windowSeconds : 0,
    latencyMs: {
      p50: histogramQuantile(0.5, buckets),
      p95: histogramQuantile(0.95, buckets),
      p99: histogramQuantile(0.99, buckets),
      ...observedRange(buckets),
    },
    tcpOpenConnections: acc.tcp,
    tcpReadBytesRate: windowSeconds > 0 ? acc.readBytes / windowSeconds : 0,
    tcpWriteBytesRate: windowSeconds > 0 ? acc.writeBytes / windowSeconds : 0,
  };
}

function seriesId(s: Sample): string {
  const keys = Object.keys(s.labels).sort();
  return `${s.name}{${keys.map((k) => `${k}=${s.labels[k]}`).join(',')}}`;
}

function observedRange(buckets: Bucket[]): { best?: number; worst?: number } {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  let below = 0;
  let best: number | undefined;
  let worst: number | undefined;
  let finite = 0;
  for (const b of sorted) {
    if (b.count > below) {
      // An observation above every finite bound is reported at the highest one, as quantiles are.
      const bound = b.le === Number.POSITIVE_INFINITY ? finite : b.le;
      best ??= bound;
      worst = bound;
    }
    if (b.le !== Number.POSITIVE_INFINITY) finite = b.le;
    below = b.count;
  }
  return best === undefined ? {} : { best, worst };
}
