import type { GoldenRow } from '../metrics/golden.ts';
import type { MetricsSource } from '../metrics/source.ts';
import { DEFAULT_ROUTE } from './stat.ts';

// `weft top` without tap: the busiest (source, destination, route) triples of
// the last few seconds, from the inbound metrics every proxy keeps. Tap would
// add methods, paths and per-request latencies; metrics give counts, success
// and the latency buckets requests fell into.

export interface TopRow {
  readonly source: string;
  readonly destination: string;
  /** The route (rt_route) or, while no request matched a named route, the authority. */
  readonly path: string;
  readonly golden: GoldenRow;
}

export async function top(
  source: MetricsSource,
  identities: ReadonlyMap<string, { namespace: string; deployment: string }>,
  q: { namespace: string | undefined; deployment?: string; windowSeconds: number },
): Promise<{ rows: TopRow[]; windowSeconds: number; byRoute: boolean }> {
  const match = {
    direction: 'inbound',
    ...(q.namespace ? { namespace: q.namespace } : {}),
    ...(q.deployment ? { deployment: q.deployment } : {}),
  };
  const groupBy = ['namespace', 'deployment', 'client_id'];
  const routed = await source.golden({ family: 'route_', match, groupBy: [...groupBy, 'rt_route'] }, q.windowSeconds);
  // Proxies label requests with the default route before (or without) a profile; the authority says more.
  const byRoute = routed.rows.some((r) => r.responses > 0 && r.key.rt_route);
  const result = byRoute
    ? routed
    : await source.golden({ family: '', match, groupBy: [...groupBy, 'authority'] }, q.windowSeconds);
  const rows = result.rows
    .filter((g) => g.responses > 0)
    .map((g) => {
      const client = identities.get(g.key.client_id ?? '');
      const src = client ? `deploy/${client.deployment}` : g.key.client_id ? g.key.client_id.split('.')[0] : 'unmeshed';
      return {
        source: src ?? 'unmeshed',
        destination: `deploy/${g.key.deployment}`,
        path: byRoute ? g.key.rt_route || DEFAULT_ROUTE : g.key.authority || '-',
        golden: g,
      };
    })
    .sort((a, b) => b.golden.responses - a.golden.responses);
  return { rows, windowSeconds: result.windowSeconds, byRoute };
}
