import type { GoldenRow } from '../metrics/golden.ts';
import type { GoldenSelector, MetricsSource } from '../metrics/source.ts';
import { DEFAULT_ROUTE, defaultLast, servedInWindow } from './stat.ts';

// `weft routes deploy/NAME`: golden metrics per route the deployment served,
// from the proxies' route_* families (rt_route). Traffic no route matched is
// [DEFAULT]; while a proxy emits no route families at all, everything it
// served is unmatched and shows as [DEFAULT] from its plain families.
// With `to`, the routes the deployment called on one service (outbound), and
// next to what the caller saw (effective) what was actually sent, retries
// included (route_actual_*), as the retries workshop reads them. Routes that
// served nothing in the window are left out, [DEFAULT] aside (servedInWindow).

export interface RouteRow {
  readonly route: string;
  readonly service: string;
  readonly golden: GoldenRow;
  /** Attempts including retries; only with `to`. */
  readonly actual?: GoldenRow;
}

export interface RoutesQuery {
  readonly namespace: string;
  readonly deployment: string;
  readonly windowSeconds: number;
  /** The services the deployment backs, for the SERVICE column of the inbound view. */
  readonly services: readonly string[];
  /** Outbound view: only calls to this service (its name, as the start of the `dst` authority). */
  readonly toService?: string;
}

const byRoute = (a: RouteRow, b: RouteRow) => defaultLast(a.route, b.route) || a.route.localeCompare(b.route);

export async function routes(
  source: MetricsSource,
  q: RoutesQuery,
): Promise<{ rows: RouteRow[]; windowSeconds: number; fromRouteFamilies: boolean }> {
  if (q.toService) return outboundRoutes(source, q, q.toService);
  const match = { direction: 'inbound', namespace: q.namespace, deployment: q.deployment };
  const perRoute: GoldenSelector = { family: 'route_', match, groupBy: ['rt_route'] };
  const service = q.services.join(',') || '-';
  const routed = await source.golden(perRoute, q.windowSeconds);
  if (routed.rows.some((r) => r.responses > 0)) {
    const rows = routed.rows
      .filter(servedInWindow)
      .map((golden) => ({ route: golden.key.rt_route || DEFAULT_ROUTE, service, golden }));
    return { rows: rows.sort(byRoute), windowSeconds: routed.windowSeconds, fromRouteFamilies: true };
  }
  const all = await source.golden({ family: '', match, groupBy: [] }, q.windowSeconds);
  const rows = all.rows.filter((r) => r.responses > 0).map((golden) => ({ route: DEFAULT_ROUTE, service, golden }));
  return { rows, windowSeconds: all.windowSeconds, fromRouteFamilies: false };
}

async function outboundRoutes(source: MetricsSource, q: RoutesQuery, to: string) {
  const match = { direction: 'outbound', namespace: q.namespace, deployment: q.deployment };
  const groupBy = ['dst', 'rt_route'];
  const [effective, actual] = await Promise.all([
    source.golden({ family: 'route_', match, groupBy }, q.windowSeconds),
    source.golden({ family: 'route_actual_', match, groupBy }, q.windowSeconds),
  ]);
  // dst is the authority called: `authors.booksapp.svc.cluster.local:7001` or `authors:7001`.
  const isTarget = (dst: string | undefined) => (dst ?? '').split(/[.:]/)[0] === to;
  const key = (g: GoldenRow) => `${g.key.dst} ${g.key.rt_route}`;
  const attempts = new Map(actual.rows.filter((g) => isTarget(g.key.dst)).map((g) => [key(g), g]));
  const rows = effective.rows
    .filter((g) => isTarget(g.key.dst) && servedInWindow(g))
    .map((golden) => ({
      route: golden.key.rt_route || DEFAULT_ROUTE,
      service: to,
      golden,
      actual: attempts.get(key(golden)),
    }));
  return { rows: rows.sort(byRoute), windowSeconds: effective.windowSeconds, fromRouteFamilies: true };
}
