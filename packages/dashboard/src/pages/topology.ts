import { edgeId, placeGraph } from '../components/graph-layout.ts';
import { apiPath, getJson } from '../lib/api.ts';
import { h, show, svg } from '../lib/dom.ts';
import { formatRps, formatSuccess, orUndefined } from '../lib/format.ts';
import { emptyNotice, errorNotice } from '../lib/notice.ts';
import { poll } from '../lib/poll.ts';
import { href, type Route } from '../lib/route.ts';
import type { EdgeJsonRow, EdgesResponse, StatJsonRow, StatResponse } from '../lib/types.ts';

// The meshed deployments of a namespace and who calls whom: nodes from
// `weft stat deploy`, edges from `weft edges` (dashed when not mTLS), each
// edge labelled with `weft stat deploy --from deploy/SRC`'s figures for its
// destination, red below 95 % success.

const NODE_W = 150;
const NODE_H = 46;
const FAILING = 0.95;

interface Drawn {
  readonly edge: EdgeJsonRow;
  readonly golden: StatJsonRow | undefined;
}

export function topologyPage(root: HTMLElement, route: Route, signal: AbortSignal): void {
  const namespace = route.params.get('namespace') ?? 'emojivoto';
  const status = h('p', { class: 'status', 'aria-live': 'polite' }, 'Loading…');
  const problem = h('div');
  const picture = h('div');
  root.append(
    h('h1', {}, `Topology of ${namespace}`),
    status,
    problem,
    picture,
    h(
      'p',
      { class: 'legend' },
      'Solid: mTLS. Dashed: not mTLS. Red: below 95 % success. Labels: RPS · success over 1 minute.',
    ),
  );
  poll(signal, async () => {
    try {
      const [stat, edges] = await Promise.all([
        getJson<StatResponse>(apiPath('stat', { resource: 'deploy', namespace, window: '1m' }, true), signal),
        getJson<EdgesResponse>(apiPath('edges', { namespace, window: '1m' }, true), signal),
      ]);
      const inNs = edges.rows.filter((e) => e.src_namespace === namespace && e.dst_namespace === namespace);
      const sources = [...new Set(inNs.map((e) => e.src))];
      const outbound = await Promise.all(
        sources.map((src) =>
          getJson<StatResponse>(
            apiPath('stat', { resource: 'deploy', namespace, from: `deploy/${src}` }, true),
            signal,
          ),
        ),
      );
      const drawn: Drawn[] = inNs.map((edge) => ({
        edge,
        golden: outbound[sources.indexOf(edge.src)]?.rows.find((r) => r.name === edge.dst),
      }));
      show(problem);
      if (stat.rows.length === 0) {
        show(picture, emptyNotice(`No meshed deployment in ${namespace}.`));
        return;
      }
      // Redrawn every refresh: the node that had the keyboard's focus gets it back.
      const focused = (document.activeElement as Element | null)?.getAttribute('data-node');
      show(picture, draw(stat.rows, drawn));
      if (focused) (picture.querySelector(`[data-node="${CSS.escape(focused)}"]`) as SVGAElement | null)?.focus();
      show(
        status,
        `${stat.rows.length} deployments, ${drawn.length} edges; updated ${new Date().toLocaleTimeString()}.`,
      );
    } catch (err) {
      if (!signal.aborted) show(problem, errorNotice(err, 'Cannot refresh the topology'));
    }
  });
}

const edgeLabel = (g: StatJsonRow | undefined) =>
  g ? `${formatRps(orUndefined(g.rps))} · ${formatSuccess(orUndefined(g.success))}` : 'no requests';

function draw(nodes: readonly StatJsonRow[], edges: readonly Drawn[]): SVGSVGElement {
  const placed = placeGraph(
    nodes.map((n) => ({ id: n.name, width: NODE_W, height: NODE_H })),
    edges.map((d) => ({ from: d.edge.src, to: d.edge.dst, labelWidth: edgeLabel(d.golden).length * 7 })),
  );
  const marker = svg(
    'marker',
    {
      id: 'arrow',
      viewBox: '0 0 10 10',
      refX: 10,
      refY: 5,
      markerWidth: 8,
      markerHeight: 8,
      orient: 'auto-start-reverse',
    },
    svg('path', { d: 'M0,0 L10,5 L0,10 z' }),
  );
  const edgeEls = edges.flatMap((d) => {
    const p = placed.edges.get(edgeId(d.edge.src, d.edge.dst));
    if (!p) return [];
    const failing = d.golden?.success !== null && d.golden?.success !== undefined && d.golden.success < FAILING;
    const classes = ['edge', d.edge.secured ? 'secure' : 'insecure', failing ? 'failing' : ''].join(' ').trim();
    const path = p.points.map((pt, i) => `${i === 0 ? 'M' : 'L'}${pt.x.toFixed(1)},${pt.y.toFixed(1)}`).join(' ');
    const mtls = d.edge.secured ? 'mTLS' : `not mTLS${d.edge.no_tls_reason ? ` (${d.edge.no_tls_reason})` : ''}`;
    return [
      svg(
        'g',
        { class: classes, 'data-edge': `${d.edge.src}>${d.edge.dst}`, 'data-secured': String(d.edge.secured) },
        svg('title', {}, `${d.edge.src} → ${d.edge.dst}: ${mtls}, ${edgeLabel(d.golden)}`),
        svg('path', { d: path, 'marker-end': 'url(#arrow)' }),
        // Above the line, where dagre left room for it.
        svg('text', { x: p.label.x, y: p.label.y - 6, 'text-anchor': 'middle' }, edgeLabel(d.golden)),
      ),
    ];
  });
  const nodeEls = nodes.flatMap((n) => {
    const p = placed.nodes.get(n.name);
    if (!p) return [];
    const bad = n.success !== null && n.success < FAILING;
    return [
      svg(
        'a',
        { href: href(['workload', n.namespace, n.name]), class: `node${bad ? ' bad' : ''}`, 'data-node': n.name },
        svg('rect', { x: p.x - NODE_W / 2, y: p.y - NODE_H / 2, width: NODE_W, height: NODE_H, rx: 8 }),
        svg('text', { x: p.x, y: p.y - 4, 'text-anchor': 'middle' }, `deploy/${n.name}`),
        svg(
          'text',
          { x: p.x, y: p.y + 13, 'text-anchor': 'middle', class: 'sub' },
          n.success === null ? 'serves nothing' : `${formatSuccess(n.success)} · ${formatRps(orUndefined(n.rps))}`,
        ),
      ),
    ];
  });
  return svg(
    'svg',
    {
      class: 'topology',
      viewBox: `0 0 ${Math.max(placed.width, 200)} ${Math.max(placed.height, 100)}`,
      role: 'img',
      'aria-label': `Topology: ${nodes.length} deployments, ${edges.length} edges`,
      style: `max-height: ${Math.max(placed.height, 100) * 1.4}px`,
    },
    svg('defs', {}, marker),
    edgeEls,
    nodeEls,
  );
}
