import type { StatRow } from '../viz/stat.ts';
import type { OutputFormat } from './format.ts';
import { GOLDEN_HEADERS, goldenCells, goldenJson } from './golden-columns.ts';
import { type Cell, formatWindow, NONE, renderJson, renderTable } from './table.ts';

// `weft stat` output: Linkerd's columns, its JSON keys (ratios, not
// percentages; null where there was no traffic).

const round = (n: number | undefined, digits = 3) => (n === undefined ? null : Number(n.toFixed(digits)));

function bytesRate(n: number): string {
  return n >= 1024 * 1024
    ? `${(n / 1048576).toFixed(1)}MB/s`
    : n >= 1024
      ? `${(n / 1024).toFixed(1)}kB/s`
      : `${n.toFixed(1)}B/s`;
}

/** The rows of `weft stat -o json`; the dashboard's API serves the same. */
export function statJson(rows: readonly StatRow[], windowSeconds: number) {
  return rows.map((r) => ({
    namespace: r.namespace,
    kind: r.kind,
    name: r.name,
    meshed: r.meshed ?? null,
    ...goldenJson(r.golden),
    tcp_open_connections: r.golden?.tcpOpenConnections ?? null,
    tcp_read_bytes_rate: round(r.golden?.tcpReadBytesRate),
    tcp_write_bytes_rate: round(r.golden?.tcpWriteBytesRate),
    time_window: formatWindow(windowSeconds),
  }));
}

export type StatJsonRow = ReturnType<typeof statJson>[number];

export function renderStat(
  rows: StatRow[],
  opts: { output: OutputFormat; allNamespaces: boolean; windowSeconds: number },
) {
  if (opts.output === 'json') return renderJson(statJson(rows, opts.windowSeconds));
  if (rows.length === 0) return 'No traffic found.\n';
  const route = rows[0]?.kind === 'route';
  const headers = [
    ...(opts.allNamespaces ? ['NAMESPACE'] : []),
    route ? 'ROUTE' : 'NAME',
    ...(route ? [] : ['MESHED']),
    ...GOLDEN_HEADERS,
    ...(route ? [] : ['TCP_CONN']),
    ...(opts.output === 'wide' && !route ? ['READ_BYTES/SEC', 'WRITE_BYTES/SEC'] : []),
  ];
  const body = rows.map((r): Cell[] => {
    const g = r.golden;
    return [
      ...(opts.allNamespaces ? [r.namespace] : []),
      r.name,
      ...(route ? [] : [r.meshed ?? NONE]),
      ...goldenCells(g),
      ...(route ? [] : [g ? String(g.tcpOpenConnections) : NONE]),
      ...(opts.output === 'wide' && !route
        ? [g ? bytesRate(g.tcpReadBytesRate) : NONE, g ? bytesRate(g.tcpWriteBytesRate) : NONE]
        : []),
    ];
  });
  return renderTable(headers, body);
}
