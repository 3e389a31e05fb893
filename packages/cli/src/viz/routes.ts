import type { GoldenRow } from '../metrics/golden.ts';
import type { GoldenSelector, MetricsSource } from '../metrics/source.ts';
import { DEFAULT_ROUTE } from './stat.ts';

// `weft routes deploy/NAME`: golden metrics per route the deployment served,
// from the proxies' route_* families (rt_route). Traffic no route matched is
// [DEFAULT]; while a proxy emits no route families at all, everything it
// served is unmatched and shows as [DEFAULT] from its plain families.

export interface RouteRow {
  readonly route: string;
  readonly service: string;
  readonly golden: GoldenRow;
}

export async function routes(
  source: MetricsSource,
  q: { namespace: string; deployment: string; windowSeconds: number; services: readonly string[] },
): Promise<{ rows: RouteRow[]; windowSeconds: number; fromRouteFamilies: boolean }> {
  const match = { direction: 'inbound', namespace: q.namespace, deployment: q.deployment };
  const perRoute: GoldenSelector = { family: 'route_', match, groupBy: ['rt_route'] };
  const service = q.services.join(',') || '-';
  const routed = await source.golden(perRoute, q.windowSeconds);
  if (routed.rows.some((r) => r.responses > 0)) {
    const rows = routed.rows
      .map((golden) => ({ route: golden.key.rt_route || DEFAULT_ROUTE, service, golden }))
      // Linkerd lists [DEFAULT] after the named routes.
      .sort(
        (a, b) =>
          Number(a.route === DEFAULT_ROUTE) - Number(b.route === DEFAULT_ROUTE) || a.route.localeCompare(b.route),
      );
    return { rows, windowSeconds: routed.windowSeconds, fromRouteFamilies: true };
  }
  const all = await source.golden({ family: '', match, groupBy: [] }, q.windowSeconds);
  const rows = all.rows.filter((r) => r.responses > 0).map((golden) => ({ route: DEFAULT_ROUTE, service, golden }));
  return { rows, windowSeconds: all.windowSeconds, fromRouteFamilies: false };
}
