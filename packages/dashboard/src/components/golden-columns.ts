import { h } from '../lib/dom.ts';
import { formatLatency, formatRps, formatSuccess, orUndefined } from '../lib/format.ts';
import type { History } from '../lib/history.ts';
import type { Column } from './sortable-table.ts';
import { sparkline } from './sparkline.ts';

// SUCCESS RPS P50 P95 P99 as `weft stat` prints them, optionally with each
// row's recent course next to success and RPS.

export interface GoldenJson {
  readonly success: number | null;
  readonly rps: number | null;
  readonly latency_ms_p50: number | null;
  readonly latency_ms_p95: number | null;
  readonly latency_ms_p99: number | null;
}

export function successCell(success: number | null): HTMLElement {
  const text = formatSuccess(orUndefined(success));
  const state = success === null ? 'none' : success < 0.95 ? 'bad' : success < 0.99 ? 'warn' : 'good';
  return h('span', { class: `sr ${state}` }, text);
}

export function goldenColumns<Row extends GoldenJson>(key: (r: Row) => string, history?: History): Column<Row>[] {
  const withSpark = (cell: Node | string, series: string, label: string, max?: number) =>
    history ? h('span', { class: 'with-spark' }, cell, sparkline(history.get(series), label, max)) : cell;
  return [
    {
      label: 'Success',
      numeric: true,
      sortValue: (r) => r.success,
      cell: (r) => withSpark(successCell(r.success), `${key(r)} success`, 'success rate, recent', 1),
    },
    {
      label: 'RPS',
      numeric: true,
      sortValue: (r) => r.rps,
      cell: (r) => withSpark(formatRps(orUndefined(r.rps)), `${key(r)} rps`, 'requests per second, recent'),
    },
    {
      label: 'P50',
      numeric: true,
      sortValue: (r) => r.latency_ms_p50,
      cell: (r) => formatLatency(orUndefined(r.latency_ms_p50)),
    },
    {
      label: 'P95',
      numeric: true,
      sortValue: (r) => r.latency_ms_p95,
      cell: (r) => formatLatency(orUndefined(r.latency_ms_p95)),
    },
    {
      label: 'P99',
      numeric: true,
      sortValue: (r) => r.latency_ms_p99,
      cell: (r) => formatLatency(orUndefined(r.latency_ms_p99)),
    },
  ];
}

/** Remembers each row's success and RPS for its sparklines, as they were at `t`. */
export function recordGolden<Row extends GoldenJson>(
  history: History,
  rows: readonly Row[],
  key: (r: Row) => string,
  now = Date.now(),
) {
  for (const r of rows) {
    history.add(`${key(r)} success`, r.success, now);
    history.add(`${key(r)} rps`, r.rps, now);
  }
}
