import { goldenColumns, recordGolden } from '../components/golden-columns.ts';
import { SortableTable } from '../components/sortable-table.ts';
import { apiPath, getJson } from '../lib/api.ts';
import { h, show } from '../lib/dom.ts';
import { formatWindow, NONE } from '../lib/format.ts';
import { History } from '../lib/history.ts';
import { lookBackOnce } from '../lib/look-back.ts';
import { emptyNotice, errorNotice } from '../lib/notice.ts';
import { poll } from '../lib/poll.ts';
import { href, type Route } from '../lib/route.ts';
import type { StatJsonRow, StatResponse } from '../lib/types.ts';

// Namespaces, then the deployments (or pods) of one with `weft stat`'s
// columns, refreshed live: one /api/v1/stat call for every namespace, the
// same rows `weft stat -A deploy -o json` prints.

const KINDS = { deploy: 'Deployments', po: 'Pods' } as const;
type Kind = keyof typeof KINDS;

const key = (r: StatJsonRow) => `${r.namespace}/${r.name}`;

export function overviewPage(root: HTMLElement, route: Route, signal: AbortSignal): void {
  const kind: Kind = route.params.get('kind') === 'po' ? 'po' : 'deploy';
  const history = new History();
  const status = h('p', { class: 'status', 'aria-live': 'polite' }, 'Loading…');
  const namespaces = h('div', { class: 'namespaces' });
  const problem = h('div');
  const table = new SortableTable<StatJsonRow>(
    KINDS[kind],
    [
      {
        label: 'Name',
        sortValue: (r) => r.name,
        cell: (r) => (kind === 'deploy' ? h('a', { href: href(['workload', r.namespace, r.name]) }, r.name) : r.name),
      },
      { label: 'Meshed', sortValue: (r) => r.meshed, cell: (r) => r.meshed ?? NONE },
      ...goldenColumns<StatJsonRow>(key, history),
      {
        label: 'TCP',
        numeric: true,
        sortValue: (r) => r.tcp_open_connections,
        cell: (r) => (r.tcp_open_connections === null ? NONE : String(r.tcp_open_connections)),
      },
    ],
    key,
  );
  const kindLinks = h(
    'p',
    { class: 'kinds' },
    Object.entries(KINDS).map(([k, label]) =>
      h(
        'a',
        {
          class: 'pill',
          href: href(['overview'], { namespace: route.params.get('namespace') ?? undefined, kind: k }),
          'aria-current': k === kind ? 'page' : undefined,
        },
        label,
      ),
    ),
  );
  root.append(h('h1', {}, 'Overview'), status, problem, namespaces, kindLinks, table.element);

  // The sparklines start with the last two minutes the recorder (or Prometheus) still has.
  const lookBack = lookBackOnce({ resource: kind, range: '2m', step: '10s' }, signal, (p) =>
    recordGolden(history, p.rows, key, p.at),
  );
  poll(signal, async () => {
    try {
      const stat = await getJson<StatResponse>(apiPath('stat', { resource: kind, window: '1m' }, true), signal);
      const all = [...new Set(stat.rows.map((r) => r.namespace))].sort();
      const chosen = route.params.get('namespace') ?? (all.includes('emojivoto') ? 'emojivoto' : all[0]);
      const rows = stat.rows.filter((r) => r.namespace === chosen);
      recordGolden(history, rows, key);
      show(problem);
      show(namespaces, namespaceList(stat.rows, all, chosen, kind));
      table.update(rows);
      lookBack();
      if (rows.length === 0) show(problem, emptyNotice('No meshed workloads yet: is `weft dev` still starting?'));
      show(
        status,
        `Namespace ${chosen ?? NONE}: figures over the last ${formatWindow(stat.windowSeconds)}, `,
        `as \`weft stat -n ${chosen ?? 'NS'} ${kind}\` prints them; updated ${new Date().toLocaleTimeString()}.`,
      );
    } catch (err) {
      if (!signal.aborted) show(problem, errorNotice(err, 'Cannot refresh the overview'));
    }
  });
}

function namespaceList(rows: readonly StatJsonRow[], all: readonly string[], chosen: string | undefined, kind: Kind) {
  return h(
    'ul',
    { class: 'tabs', 'aria-label': 'Namespaces' },
    all.map((ns) => {
      const inNs = rows.filter((r) => r.namespace === ns);
      return h(
        'li',
        {},
        h(
          'a',
          {
            class: 'pill',
            href: href(['overview'], { namespace: ns, kind }),
            'aria-current': ns === chosen ? 'page' : undefined,
          },
          `${ns} `,
          h('span', { class: 'count' }, `${inNs.length} ${kind === 'deploy' ? 'deployments' : 'pods'}`),
        ),
      );
    }),
  );
}
