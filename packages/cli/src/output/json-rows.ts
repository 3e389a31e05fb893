import type { Edge } from '../viz/edges.ts';
import type { RouteRow } from '../viz/routes.ts';
import { goldenJson } from './golden-columns.ts';
import { formatWindow } from './table.ts';

// The rows `weft routes -o json` and `weft edges -o json` print; the
// dashboard's API serves the same, so a page and the CLI agree to the digit.

/** `outbound`: the view with --to, where the attempts (retries included) are shown too. */
export function routesJson(rows: readonly RouteRow[], windowSeconds: number, outbound: boolean) {
  return rows.map((r) => ({
    route: r.route,
    authority: r.service,
    ...goldenJson(r.golden),
    ...(r.actual || outbound
      ? { actual_success: goldenJson(r.actual).success, actual_rps: goldenJson(r.actual).rps }
      : {}),
    time_window: formatWindow(windowSeconds),
  }));
}

export function edgesJson(rows: readonly Edge[]) {
  return rows.map((e) => ({
    src: e.src,
    src_namespace: e.srcNamespace,
    dst: e.dst,
    dst_namespace: e.dstNamespace,
    client_id: e.clientId,
    server_id: e.serverId,
    secured: e.secured,
    no_tls_reason: e.secured ? '' : (e.reason ?? ''),
  }));
}
