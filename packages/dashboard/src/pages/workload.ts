import { TimeChart } from '../components/chart.ts';
import { edgeTable } from '../components/edge-table.ts';
import { successCell } from '../components/golden-columns.ts';
import { routeTable } from '../components/route-table.ts';
import { topTable } from '../components/top-table.ts';
import { apiPath, getJson } from '../lib/api.ts';
import { h, show } from '../lib/dom.ts';
import { formatLatency, formatRps, formatWindow, NONE, orUndefined } from '../lib/format.ts';
import { History } from '../lib/history.ts';
import { lookBackOnce } from '../lib/look-back.ts';
import { emptyNotice, errorNotice } from '../lib/notice.ts';
import { poll } from '../lib/poll.ts';
import { href, type Route } from '../lib/route.ts';
import type { EdgesResponse, RoutesResponse, StatJsonRow, StatResponse, TopResponse } from '../lib/types.ts';

// One deployment: its golden figures and their course since the page opened,
// its edges with identities and mTLS, its routes (served, and called with
// effective and actual figures), and its live top. Each block is one of the
// CLI's queries: stat, edges, routes (--to), top.

export function workloadPage(root: HTMLElement, route: Route, signal: AbortSignal): void {
  const [, namespace = '', name = ''] = route.parts;
  const history = new History();
  const status = h('p', { class: 'status', 'aria-live': 'polite' }, 'Loading…');
  const problem = h('div');
  const cards = h('div', { class: 'cards' });
  const success = new TimeChart('Success rate', '%', [
    { label: 'success', points: () => history.get('success'), colour: '--good' },
  ]);
  const latency = new TimeChart('Latency', 'ms', [
    { label: 'p50', points: () => history.get('p50'), colour: '--accent' },
    { label: 'p95', points: () => history.get('p95'), colour: '--warn' },
    { label: 'p99', points: () => history.get('p99'), colour: '--bad' },
  ]);
  signal.addEventListener('abort', () => {
    success.destroy();
    latency.destroy();
  });
  const inbound = edgeTable('Inbound edges (who calls it)');
  const outbound = edgeTable('Outbound edges (what it calls)');
  const served = routeTable('Routes it serves', false, name);
  const calls = h('div');
  const top = topTable('Live top (last 10 s)');
  root.append(
    h('p', {}, h('a', { href: href(['overview'], { namespace }) }, `← ${namespace}`)),
    h('h1', {}, `deploy/${name}`),
    status,
    problem,
    cards,
    h('div', { class: 'charts' }, success.element, latency.element),
    h('h2', {}, 'Edges'),
    inbound.element,
    outbound.element,
    h('h2', {}, 'Routes'),
    served.element,
    calls,
    h('h2', {}, 'Top'),
    top.element,
    h('p', {}, h('a', { href: href(['tap'], { namespace, resource: `deploy/${name}` }) }, `Tap deploy/${name} →`)),
  );
  const callTables = new Map<string, ReturnType<typeof routeTable>>();

  // The charts start with the last five minutes of the same 1-minute figures.
  const lookBack = lookBackOnce({ resource: `deploy/${name}`, namespace, range: '5m', step: '15s' }, signal, (p) => {
    if (p.rows[0]) record(history, p.rows[0], p.at);
  });
  poll(signal, async () => {
    try {
      const stat = await getJson<StatResponse>(
        apiPath('stat', { resource: `deploy/${name}`, namespace, window: '1m' }, true),
        signal,
      );
      const row = stat.rows[0];
      if (!row) {
        show(problem, errorNotice(new Error(`no meshed deployment ${namespace}/${name}`), 'Not found'));
        show(status, 'Pick a deployment from the overview.');
        return;
      }
      record(history, row);
      show(problem);
      show(cards, figures(row));
      show(
        status,
        `Figures over the last ${formatWindow(stat.windowSeconds)}; the charts show the same 1-minute figures over the last minutes.`,
      );
      success.update();
      latency.update();
      lookBack();
      const [edges, routes, services, tops] = await Promise.all([
        getJson<EdgesResponse>(apiPath('edges', { namespace, window: '1m' }, true), signal),
        getJson<RoutesResponse>(apiPath('routes', { namespace, deployment: name, window: '1m' }, true), signal),
        getJson<StatResponse>(apiPath('stat', { resource: 'svc', namespace, from: `deploy/${name}` }, true), signal),
        getJson<TopResponse>(apiPath('top', { namespace, deployment: name, window: '10s' }, true), signal),
      ]);
      inbound.update(edges.rows.filter((e) => e.dst === name && e.dst_namespace === namespace));
      outbound.update(edges.rows.filter((e) => e.src === name && e.src_namespace === namespace));
      served.update(routes.rows);
      top.update(tops.rows);
      await updateCalls(services.rows, namespace, name, callTables, calls, signal);
    } catch (err) {
      if (!signal.aborted) show(problem, errorNotice(err, `Cannot refresh deploy/${name}`));
    }
  });
}

/** `weft routes deploy/NAME --to svc/S -o wide` for every service the deployment called. */
async function updateCalls(
  services: readonly StatJsonRow[],
  namespace: string,
  name: string,
  tables: Map<string, ReturnType<typeof routeTable>>,
  container: HTMLElement,
  signal: AbortSignal,
): Promise<void> {
  const called = services.filter((s) => s.rps !== null).map((s) => s.name);
  const results = await Promise.all(
    called.map((to) =>
      getJson<RoutesResponse>(apiPath('routes', { namespace, deployment: name, to, window: '1m' }, true), signal),
    ),
  );
  called.forEach((to, i) => {
    let table = tables.get(to);
    if (!table) {
      table = routeTable(
        `Routes it calls on svc/${to} (effective as the caller saw them, actual with retries)`,
        true,
        name,
      );
      tables.set(to, table);
      container.append(table.element);
    }
    table.update(results[i]?.rows ?? []);
  });
  if (called.length === 0 && tables.size === 0) show(container, emptyNotice('It called no service in the window.'));
}

function record(history: History, row: StatJsonRow, t = Date.now()): void {
  history.add('success', row.success === null ? null : row.success * 100, t);
  history.add('p50', row.latency_ms_p50, t);
  history.add('p95', row.latency_ms_p95, t);
  history.add('p99', row.latency_ms_p99, t);
}

function figures(row: StatJsonRow): HTMLElement[] {
  const card = (label: string, value: Node | string) =>
    h('div', { class: 'card' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
  return [
    card('Meshed', row.meshed ?? NONE),
    card('Success', successCell(row.success)),
    card('RPS', formatRps(orUndefined(row.rps))),
    card('P50', formatLatency(orUndefined(row.latency_ms_p50))),
    card('P95', formatLatency(orUndefined(row.latency_ms_p95))),
    card('P99', formatLatency(orUndefined(row.latency_ms_p99))),
    card('TCP', row.tcp_open_connections === null ? NONE : String(row.tcp_open_connections)),
  ];
}
