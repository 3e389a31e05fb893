import { SortableTable } from '../components/sortable-table.ts';
import { waterfall } from '../components/waterfall.ts';
import { apiPath, getJson } from '../lib/api.ts';
import { h, show } from '../lib/dom.ts';
import { formatMicros } from '../lib/format.ts';
import { emptyNotice, errorNotice } from '../lib/notice.ts';
import { poll } from '../lib/poll.ts';
import { href, type Route } from '../lib/route.ts';
import type { SpanRecord, TraceSummary } from '../lib/types.ts';

// `weft trace`: the recent traces (refreshed), and one trace as a waterfall
// of the apps' and the proxies' spans.

export function tracesPage(root: HTMLElement, route: Route, signal: AbortSignal): void {
  const id = route.parts[1];
  if (id) {
    traceDetail(root, id, signal);
    return;
  }
  const service = route.params.get('service') ?? undefined;
  const status = h('p', { class: 'status', 'aria-live': 'polite' }, 'Loading…');
  const problem = h('div');
  const table = new SortableTable<TraceSummary>(
    'Recent traces, newest first',
    [
      { label: 'Trace', cell: (t) => h('a', { href: href(['traces', t.traceId]), class: 'mono' }, t.traceId) },
      { label: 'Root service', sortValue: (t) => t.rootService, cell: (t) => t.rootService },
      { label: 'Root span', sortValue: (t) => t.rootSpan, cell: (t) => t.rootSpan },
      { label: 'Start', sortValue: (t) => t.startUs, cell: (t) => new Date(t.startUs / 1000).toLocaleTimeString() },
      { label: 'Duration', numeric: true, sortValue: (t) => t.durationUs, cell: (t) => formatMicros(t.durationUs) },
      { label: 'Spans', numeric: true, sortValue: (t) => t.spans, cell: (t) => String(t.spans) },
      {
        label: 'Errors',
        numeric: true,
        sortValue: (t) => t.errors,
        cell: (t) => (t.errors > 0 ? h('span', { class: 'failed' }, String(t.errors)) : '0'),
      },
    ],
    (t) => t.traceId,
  );
  root.append(h('h1', {}, service ? `Traces through ${service}` : 'Traces'), status, problem, table.element);
  poll(
    signal,
    async () => {
      try {
        const { traces } = await getJson<{ traces: TraceSummary[] }>(
          apiPath('traces', { limit: '50', service }),
          signal,
        );
        show(problem, traces.length === 0 ? emptyNotice('No traces yet: the apps export them as they serve.') : '');
        table.update(traces);
        show(status, `${traces.length} traces; updated ${new Date().toLocaleTimeString()}.`);
      } catch (err) {
        if (!signal.aborted) show(problem, errorNotice(err, 'Cannot list traces'));
      }
    },
    5000,
  );
}

function traceDetail(root: HTMLElement, id: string, signal: AbortSignal): void {
  const body = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
  root.append(
    h('p', {}, h('a', { href: href(['traces']) }, '← Traces')),
    h('h1', {}, 'Trace ', h('span', { class: 'mono' }, id)),
    body,
  );
  getJson<{ spans: SpanRecord[] }>(apiPath(`traces/${encodeURIComponent(id)}`), signal)
    .then(({ spans }) =>
      show(
        body,
        spans.length
          ? [
              waterfall(spans),
              h('p', { class: 'legend' }, 'Blue: app spans. Grey: sidecar spans. Red, with ×: error status.'),
            ]
          : emptyNotice('This trace has no spans.'),
      ),
    )
    .catch((err) => {
      if (!signal.aborted) show(body, errorNotice(err, 'Cannot show this trace'));
    });
}
