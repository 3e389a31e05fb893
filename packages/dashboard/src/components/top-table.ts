import { formatLatency, formatSuccess } from '../lib/format.ts';
import type { TopRow } from '../lib/types.ts';
import { SortableTable } from './sortable-table.ts';

// `weft top` from metrics: the busiest (source, destination, route) over the
// last seconds, with the latency buckets the fastest and slowest fell into.

export function topTable(caption: string): SortableTable<TopRow> {
  return new SortableTable<TopRow>(
    caption,
    [
      { label: 'Source', sortValue: (r) => r.source, cell: (r) => r.source },
      { label: 'Destination', sortValue: (r) => r.destination, cell: (r) => r.destination },
      { label: 'Path', sortValue: (r) => r.path, cell: (r) => r.path },
      {
        label: 'Count',
        numeric: true,
        sortValue: (r) => r.golden.responses,
        cell: (r) => String(Math.round(r.golden.responses)),
      },
      {
        label: 'Best',
        numeric: true,
        sortValue: (r) => r.golden.latencyMs.best ?? null,
        cell: (r) => formatLatency(r.golden.latencyMs.best),
      },
      {
        label: 'Worst',
        numeric: true,
        sortValue: (r) => r.golden.latencyMs.worst ?? null,
        cell: (r) => formatLatency(r.golden.latencyMs.worst),
      },
      {
        label: 'Success',
        numeric: true,
        sortValue: (r) => r.golden.successRate ?? null,
        cell: (r) => formatSuccess(r.golden.successRate),
      },
    ],
    (r) => `${r.source}>${r.destination} ${r.path}`,
  );
}
