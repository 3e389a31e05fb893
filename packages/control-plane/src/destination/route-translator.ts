import type { RequestMatch } from '@weft/api/gen/weft/destination/RequestMatch.ts';
import type { ResponseClass } from '@weft/api/gen/weft/destination/ResponseClass.ts';
import type { Route as ProfileRouteMsg } from '@weft/api/gen/weft/destination/Route.ts';
import type { WeightedDst } from '@weft/api/gen/weft/destination/WeightedDst.ts';
import { parseDurationMs } from '../resources/reader.ts';
import type { Route, RouteMatch, RouteRule, ValueMatch } from '../resources/types.ts';
import type { ResourceState } from '../store/state.ts';
import type { ServiceTarget } from './authority.ts';

/** A protobuf Duration from milliseconds. */
export const duration = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: Math.round((ms % 1000) * 1e6) });

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const matchValue = (v: ValueMatch) => (v.type === 'Exact' ? { exact: v.value } : { regex: v.value });

function matchOf(route: Route, m: RouteMatch): RequestMatch {
  const parts: RequestMatch[] = [];
  if (m.grpc) {
    const svc = m.grpc.service ? escapeRegex(m.grpc.service) : '[^/]+';
    const method = m.grpc.method ? escapeRegex(m.grpc.method) : '[^/]+';
    parts.push({ method: 'POST' }, { path: { regex: `/${svc}/${method}` } });
  }
  if (m.path) {
    const v = m.path.value;
    const regex =
      m.path.type === 'Exact'
        ? escapeRegex(v)
        : m.path.type === 'RegularExpression'
          ? v
          : v === '/' || v === ''
            ? '/.*'
            : `${escapeRegex(v.replace(/\/$/, ''))}(/.*)?`;
    parts.push({ path: { regex } });
  }
  if (m.method) parts.push({ method: m.method });
  for (const h of m.headers ?? []) parts.push({ header: { name: h.name.toLowerCase(), ...matchValue(h) } });
  for (const q of m.queryParams ?? []) parts.push({ queryParam: { name: q.name, ...matchValue(q) } });
  if (parts.length === 0) parts.push({ path: { regex: route.kind === 'GRPCRoute' ? '/.*' : '.*' } });
  return parts.length === 1 ? (parts[0] as RequestMatch) : { all: { matches: parts } };
}

/** retry.weft.dev/http: "5xx", "gateway-error", "503" or "500-504", comma separated. */
function failureClasses(spec: string | undefined): ResponseClass[] {
  if (!spec) return [];
  const ranges: [number, number][] = [];
  for (const part of spec.split(',').map((s) => s.trim())) {
    if (part === '5xx') ranges.push([500, 599]);
    else if (part === 'gateway-error') ranges.push([502, 504]);
    else {
      const m = /^(\d{3})(?:-(\d{3}))?$/.exec(part);
      if (m) ranges.push([Number(m[1]), Number(m[2] ?? m[1])]);
    }
  }
  return ranges.map(([min, max]) => ({ condition: { status: { min, max } }, isFailure: true }));
}

/** Whether the route attaches to the Service's port (a parentRef without a port: every port). */
export function isParent(route: Route, target: ServiceTarget): boolean {
  return route.parentRefs.some(
    (p) =>
      p.kind === 'Service' &&
      (p.group === '' || p.group === 'core') &&
      p.name === target.service &&
      (p.namespace ?? route.meta.namespace) === target.namespace &&
      (p.port === undefined || p.port === target.port),
  );
}

/** A rule every request matches: its backends make the Service's split. */
export const isCatchAll = (rule: RouteRule) =>
  rule.matches.length === 0 ||
  rule.matches.some(
    (m) =>
      !m.method &&
      !m.grpc &&
      !m.headers?.length &&
      !m.queryParams?.length &&
      (!m.path || (m.path.type === 'PathPrefix' && m.path.value === '/')),
  );

/**
 * Routes and the split from Gateway API routes attached to the Service. Each
 * rule's backends ride on its route (a header-matched A/B rule sends to its
 * own backends); requests no route matches take the service-wide split, the
 * catch-all rule's weighted backends (else the first rule with backends).
 */
export function routeProfile(state: ResourceState, target: ServiceTarget, clusterDomain: string) {
  const attached = [...state.list('HTTPRoute', target.namespace), ...state.list('GRPCRoute', target.namespace)]
    .filter((r) => isParent(r, target))
    .sort((a, b) => a.meta.name.localeCompare(b.meta.name));
  const routes: ProfileRouteMsg[] = [];
  let split: WeightedDst[] = [];
  let splitFromCatchAll = false;
  for (const route of attached) {
    const ann = route.meta.annotations;
    const retryable = ann['retry.weft.dev/http'] !== undefined || ann['retry.weft.dev/grpc'] !== undefined;
    const annTimeout = parseDurationMs(ann['timeout.weft.dev/request'] ?? '');
    // Fault injection is the proxy's to apply; its annotations ride along in the route's labels.
    const faults = Object.fromEntries(Object.entries(ann).filter(([k]) => k.startsWith('fault.weft.dev/')));
    for (const [i, rule] of route.rules.entries()) {
      const timeoutMs = rule.timeoutMs ?? annTimeout;
      const backends = rule.backendRefs.map((b) => ({
        authority: `${b.name}.${b.namespace ?? route.meta.namespace}.svc.${clusterDomain}:${b.port ?? target.port}`,
        weight: b.weight * 10_000,
      }));
      routes.push({
        condition:
          rule.matches.length === 0
            ? matchOf(route, {})
            : rule.matches.length === 1
              ? matchOf(route, rule.matches[0] as RouteMatch)
              : { any: { matches: rule.matches.map((m) => matchOf(route, m)) } },
        responseClasses: failureClasses(ann['retry.weft.dev/http'] ?? (retryable ? '5xx' : undefined)),
        metricsLabels: { route: rule.name ? `${route.meta.name}.${rule.name}` : `${route.meta.name}.${i}`, ...faults },
        isRetryable: retryable,
        ...(timeoutMs ? { timeout: duration(timeoutMs) } : {}),
        backends,
      });
      const catchAll = isCatchAll(rule);
      if (backends.length > 0 && ((catchAll && !splitFromCatchAll) || split.length === 0)) {
        split = backends;
        splitFromCatchAll = catchAll;
      }
    }
  }
  return { routes, dstOverrides: split };
}
