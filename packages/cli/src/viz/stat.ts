import type { GoldenRow } from '../metrics/golden.ts';
import type { GoldenSelector, MetricsSource, PodInfo } from '../metrics/source.ts';
import type { ResourceKind, ResourceRef } from './resource.ts';

// `weft stat`: golden metrics per resource. Inbound (what each resource
// served) unless `from` is given, then outbound from that resource to each
// destination, as Linkerd's viz stat reads the same families.

export interface StatRow {
  readonly namespace: string;
  readonly kind: ResourceKind;
  readonly name: string;
  /** `meshed/total` pods; undefined where it does not apply (services, routes). */
  readonly meshed?: string;
  readonly golden?: GoldenRow;
}

export interface StatQuery {
  readonly resource: ResourceRef;
  readonly namespace: string | undefined;
  readonly windowSeconds: number;
  /** Outbound view from this deployment or pod. */
  readonly from?: ResourceRef;
  /** The window's end, in ms since the epoch; now when absent. */
  readonly at?: number;
}

export const DEFAULT_ROUTE = '[DEFAULT]';

/** Linkerd lists [DEFAULT] after the named routes. */
export function defaultLast(a: string, b: string): number {
  return Number(a === DEFAULT_ROUTE) - Number(b === DEFAULT_ROUTE);
}

export function statSelector(q: StatQuery): GoldenSelector {
  const ns = q.namespace;
  const kind = q.resource.kind;
  if (q.from?.name) {
    const src = { direction: 'outbound', ...(ns ? { namespace: ns } : {}), [q.from.kind]: q.from.name };
    const dstLabel = kind === 'route' ? 'rt_route' : `dst_${kind}`;
    return {
      family: kind === 'route' ? 'route_' : '',
      match: src,
      groupBy: ['dst_namespace', dstLabel],
      tcpMatch: { ...src, peer: 'dst' },
    };
  }
  if (kind === 'service') {
    // A service has no proxy of its own: its traffic is what clients sent it.
    const match = { direction: 'outbound', ...(ns ? { dst_namespace: ns } : {}) };
    return { family: '', match, groupBy: ['dst_namespace', 'dst_service'], tcpMatch: { ...match, peer: 'dst' } };
  }
  const match = { direction: 'inbound', ...(ns ? { namespace: ns } : {}) };
  if (kind === 'route') return { family: 'route_', match, groupBy: ['namespace', 'rt_route'] };
  return { family: '', match, groupBy: ['namespace', kind], tcpMatch: { ...match, peer: 'src' } };
}

/**
 * Whether a route belongs in an answer: it served something in the window, or
 * it is [DEFAULT]. A proxy keeps a route's counters after its profile is gone,
 * so a deleted profile would otherwise leave empty rows behind.
 */
export const servedInWindow = (g: GoldenRow) => g.responses > 0 || !g.key.rt_route;

export async function stat(source: MetricsSource, q: StatQuery): Promise<{ rows: StatRow[]; windowSeconds: number }> {
  const selector = statSelector(q);
  const [result, pods] = await Promise.all([source.golden(selector, q.windowSeconds, q.at), source.pods()]);
  const [nsLabel = '', nameLabel = ''] = selector.groupBy;
  const rows = new Map<string, StatRow>();
  const kind = q.resource.kind;
  const put = (row: StatRow) => rows.set(`${row.namespace}/${row.name}`, row);
  if (!q.from) for (const row of knownResources(kind, pods, q.namespace)) put(row);
  for (const golden of result.rows) {
    let name = golden.key[nameLabel] ?? '';
    if (kind === 'route' && name === '') name = DEFAULT_ROUTE;
    if (name === '') continue;
    if (kind === 'route' && !servedInWindow(golden)) continue;
    const namespace = golden.key[nsLabel] ?? '';
    const known = rows.get(`${namespace}/${name}`);
    put({ namespace, kind, name, meshed: known?.meshed, golden });
  }
  const out = [...rows.values()]
    .filter((r) => !q.resource.name || r.name === q.resource.name)
    .sort(
      (a, b) => a.namespace.localeCompare(b.namespace) || defaultLast(a.name, b.name) || a.name.localeCompare(b.name),
    );
  return { rows: out, windowSeconds: result.windowSeconds };
}

/** Resources that exist whether or not they served traffic, so quiet ones still get a row. */
function knownResources(kind: ResourceKind, pods: PodInfo[], ns: string | undefined): StatRow[] {
  const inNs = pods.filter((p) => !ns || p.namespace === ns);
  const count = new Map<string, { namespace: string; name: string; pods: number }>();
  const add = (namespace: string, name: string) => {
    const key = `${namespace}/${name}`;
    const entry = count.get(key) ?? { namespace, name, pods: 0 };
    entry.pods++;
    count.set(key, entry);
  };
  for (const p of inNs) {
    if (kind === 'deployment') add(p.namespace, p.deployment);
    else if (kind === 'pod') add(p.namespace, p.pod);
    else if (kind === 'service') for (const s of p.services) add(p.namespace, s);
  }
  return [...count.values()].map((e) => ({
    namespace: e.namespace,
    kind,
    name: e.name,
    meshed: kind === 'service' ? undefined : `${e.pods}/${e.pods}`,
  }));
}
