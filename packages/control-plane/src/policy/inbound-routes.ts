import type { Authz } from '@weft/api/gen/weft/policy/Authz.ts';
import type { HttpRoute } from '@weft/api/gen/weft/policy/HttpRoute.ts';
import type { HttpRouteMatch } from '@weft/api/gen/weft/policy/HttpRouteMatch.ts';
import type { AuthorizationPolicy, Pod, PolicyServer, Route, RouteMatch } from '../resources/types.ts';
import type { ResourceState } from '../store/state.ts';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

function matchOf(m: RouteMatch): HttpRouteMatch {
  const out: HttpRouteMatch = {};
  if (m.path?.type === 'Exact') out.exact = m.path.value;
  else if (m.path?.type === 'RegularExpression') out.regex = m.path.value;
  else if (m.path) out.prefix = m.path.value;
  if (m.grpc) {
    out.regex = `/${m.grpc.service ?? '[^/]+'}/${m.grpc.method ?? '[^/]+'}`.replaceAll('.', '\\.');
    out.method = 'POST';
  }
  if (m.method) out.method = m.method;
  return out;
}

const attachedTo = (route: Route, server: PolicyServer) =>
  route.parentRefs.some(
    (p) =>
      p.kind === 'Server' &&
      p.group === 'policy.weft.dev' &&
      p.name === server.meta.name &&
      (p.namespace ?? route.meta.namespace) === server.meta.namespace,
  );

const DEFAULT_ROUTE: HttpRoute = { labels: { group: '', kind: 'default', name: 'default' }, hosts: [], matches: [] };

/**
 * Without routes of its own, a port gets Linkerd's synthesized pair: `default`
 * (every request, the port's authorizations) and, when the pod has HTTP probes
 * on it, `probe` (GET of exactly those paths, from anywhere, unauthenticated),
 * so that the kubelet keeps reaching them under `deny` or `all-authenticated`.
 */
export function defaultRoutes(pod: Pod | undefined, port: number, allNetworks: Authz['networks']): HttpRoute[] {
  const paths = [...new Set((pod?.httpProbes ?? []).filter((p) => p.port === port).map((p) => p.path))].sort();
  if (paths.length === 0) return [];
  const labels = { group: '', kind: 'default', name: 'probe' };
  return [
    DEFAULT_ROUTE,
    {
      labels,
      hosts: [],
      matches: paths.map((exact) => ({ exact, method: 'GET' })),
      authorizations: [{ networks: allNetworks, authentication: { unauthenticated: {} }, labels }],
    },
  ];
}

/**
 * Inbound routes: HTTPRoutes/GRPCRoutes whose parentRef is the Server. Each
 * carries the authorizations of AuthorizationPolicies that target it; the
 * proxy applies them in addition to the Server's.
 */
export function inboundRoutes(
  state: ResourceState,
  server: PolicyServer,
  authorize: (policy: AuthorizationPolicy) => Authz | undefined,
): HttpRoute[] {
  const ns = server.meta.namespace;
  const policies = state.list('AuthorizationPolicy', ns);
  return [...state.list('HTTPRoute', ns), ...state.list('GRPCRoute', ns)]
    .filter((r) => attachedTo(r, server))
    .sort((a, b) => a.meta.name.localeCompare(b.meta.name))
    .map((route) => ({
      labels: { group: GATEWAY_GROUP, kind: route.kind.toLowerCase(), name: route.meta.name },
      hosts: route.hostnames,
      matches: route.rules.flatMap((rule) => rule.matches.map(matchOf)),
      authorizations: policies
        .filter((p) => p.targetRef.kind === route.kind && p.targetRef.name === route.meta.name)
        .sort((a, b) => a.meta.name.localeCompare(b.meta.name))
        .map(authorize)
        .filter((a): a is Authz => a !== undefined),
    }));
}
