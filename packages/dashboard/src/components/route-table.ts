import { h } from '../lib/dom.ts';
import { formatRps, orUndefined } from '../lib/format.ts';
import { href } from '../lib/route.ts';
import type { RouteJsonRow } from '../lib/types.ts';
import { goldenColumns, successCell } from './golden-columns.ts';
import { SortableTable } from './sortable-table.ts';

// `weft routes`: per route, the golden figures; for the routes a deployment
// calls (--to), next to what the caller saw (effective) what was sent,
// retries included (actual), as `-o wide` prints them.

/** `traced`: the service whose traces the rows link to (the deployment's app). */
export function routeTable(caption: string, outbound: boolean, traced: string): SortableTable<RouteJsonRow> {
  const key = (r: RouteJsonRow) => `${r.authority} ${r.route}`;
  const effective = goldenColumns<RouteJsonRow>(key);
  if (outbound) {
    const [success, rps, ...latency] = effective;
    if (success && rps) {
      effective.splice(
        0,
        effective.length,
        { ...success, label: 'Effective success' },
        { ...rps, label: 'Effective RPS' },
      );
      effective.push(
        {
          label: 'Actual success',
          numeric: true,
          sortValue: (r) => r.actual_success ?? null,
          cell: (r) => successCell(r.actual_success ?? null),
        },
        {
          label: 'Actual RPS',
          numeric: true,
          sortValue: (r) => r.actual_rps ?? null,
          cell: (r) => formatRps(orUndefined(r.actual_rps)),
        },
        ...latency,
      );
    }
  }
  return new SortableTable<RouteJsonRow>(
    caption,
    [
      { label: 'Route', sortValue: (r) => r.route, cell: (r) => r.route },
      { label: 'Service', sortValue: (r) => r.authority, cell: (r) => r.authority },
      ...effective,
      { label: 'Traces', cell: () => h('a', { href: href(['traces'], { service: traced }) }, `traces of ${traced}`) },
    ],
    key,
  );
}
