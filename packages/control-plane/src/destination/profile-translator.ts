import type { DestinationProfile } from '@weft/api/gen/weft/destination/DestinationProfile.ts';
import type { FailureAccrual } from '@weft/api/gen/weft/destination/FailureAccrual.ts';
import type { RequestMatch } from '@weft/api/gen/weft/destination/RequestMatch.ts';
import type { ResponseMatch } from '@weft/api/gen/weft/destination/ResponseMatch.ts';
import type { Route as ProfileRouteMsg } from '@weft/api/gen/weft/destination/Route.ts';
import { isOpaquePort } from '../resources/annotations.ts';
import { readFailureAccrual } from '../resources/failure-accrual.ts';
import type { Meta, Pod, RequestCondition, ResponseCondition, ServiceProfile } from '../resources/types.ts';
import type { ResourceState } from '../store/state.ts';
import type { AddressTarget, ClientContext, ServiceTarget } from './authority.ts';
import { toWeightedAddr } from './endpoint-translator.ts';
import { type DestinationConfig, describe } from './endpoints.ts';
import { duration, routeProfile } from './route-translator.ts';

/** Linkerd's default budget: retries may add 20 % to requests, at least 10/s, over a 10 s window. */
export const DEFAULT_RETRY_BUDGET = { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: { seconds: 10, nanos: 0 } };

function requestMatch(c: RequestCondition): RequestMatch {
  const parts: RequestMatch[] = [];
  if (c.method) parts.push({ method: c.method });
  if (c.pathRegex !== undefined) parts.push({ path: { regex: c.pathRegex } });
  if (c.all) parts.push({ all: { matches: c.all.map(requestMatch) } });
  if (c.any) parts.push({ any: { matches: c.any.map(requestMatch) } });
  if (c.not) parts.push({ not: requestMatch(c.not) });
  return parts.length === 1 ? (parts[0] as RequestMatch) : { all: { matches: parts } };
}

function responseMatch(c: ResponseCondition): ResponseMatch {
  const parts: ResponseMatch[] = [];
  if (c.status) parts.push({ status: { min: c.status.min ?? 100, max: c.status.max ?? 599 } });
  if (c.all) parts.push({ all: { matches: c.all.map(responseMatch) } });
  if (c.any) parts.push({ any: { matches: c.any.map(responseMatch) } });
  if (c.not) parts.push({ not: responseMatch(c.not) });
  return parts.length === 1 ? (parts[0] as ResponseMatch) : { all: { matches: parts } };
}

function serviceProfileRoutes(sp: ServiceProfile): ProfileRouteMsg[] {
  return sp.routes.map((r) => ({
    condition: requestMatch(r.condition),
    responseClasses: r.responseClasses.map((rc) => ({
      condition: responseMatch(rc.condition),
      isFailure: rc.isFailure,
    })),
    metricsLabels: { route: r.name },
    isRetryable: r.isRetryable,
    ...(r.timeoutMs !== undefined && r.timeoutMs > 0 ? { timeout: duration(r.timeoutMs) } : {}),
  }));
}

/**
 * The ServiceProfile for a target: the one in the client's namespace wins over
 * the one in the service's namespace (Linkerd's primary/backup lookup).
 */
export function findServiceProfile(state: ResourceState, target: ServiceTarget, client: ClientContext) {
  return (
    state.get('ServiceProfile', client.namespace, target.fqdn) ??
    state.get('ServiceProfile', target.namespace, target.fqdn)
  );
}

/** The Service's circuit breaking; undefined leaves the callers' proxies to their own default. */
function failureAccrual(meta: Meta | undefined): FailureAccrual | undefined {
  const c = meta && readFailureAccrual(meta.annotations).consecutive;
  if (!c) return undefined;
  return {
    consecutiveFailures: {
      maxFailures: c.maxFailures,
      backoff: {
        minBackoff: duration(c.minPenaltyMs),
        maxBackoff: duration(c.maxPenaltyMs),
        jitterRatio: c.jitterRatio,
      },
    },
  };
}

const withPort = (authority: string, port: number) => (/:\d+$/.test(authority) ? authority : `${authority}:${port}`);

/**
 * Builds the whole profile. A ServiceProfile's routes and dstOverrides take
 * precedence; without them, HTTPRoutes/GRPCRoutes whose parentRef is the
 * Service supply routes, timeouts and the weighted split. The Service's own
 * annotations supply opaque ports and circuit breaking.
 */
export function buildProfile(
  state: ResourceState,
  target: ServiceTarget,
  client: ClientContext,
  clusterDomain: string,
): DestinationProfile {
  const service = state.get('Service', target.namespace, target.service);
  const sp = findServiceProfile(state, target, client);
  const fromRoutes = routeProfile(state, target, clusterDomain);
  const spRoutes = sp ? serviceProfileRoutes(sp) : [];
  const spSplit = (sp?.dstOverrides ?? []).map((d) => ({
    authority: withPort(d.authority, target.port),
    weight: d.weight,
  }));
  const budget = sp?.retryBudget;
  return {
    fullyQualifiedName: target.fqdn,
    opaqueProtocol: isOpaquePort(service?.meta, target.port) || (sp?.opaquePorts.includes(target.port) ?? false),
    routes: spRoutes.length > 0 ? spRoutes : fromRoutes.routes,
    retryBudget: budget
      ? { retryRatio: budget.retryRatio, minRetriesPerSecond: budget.minRetriesPerSecond, ttl: duration(budget.ttlMs) }
      : DEFAULT_RETRY_BUDGET,
    dstOverrides: spSplit.length > 0 ? spSplit : fromRoutes.dstOverrides,
    // From the Service alone, whether or not a ServiceProfile or route exists for it.
    failureAccrual: failureAccrual(service?.meta),
  };
}

/**
 * The profile of a pod's `IP:port`, as Linkerd's: no name and no routes, the
 * pod itself as `endpoint` (identity, protocol hint, labels naming it) and
 * opaque_protocol when its port is opaque. `pod` is undefined for an address
 * an EndpointSlice lists without a Pod the store knows.
 */
export function endpointProfile(
  state: ResourceState,
  cfg: DestinationConfig,
  addr: AddressTarget,
  namespace: string,
  pod: Pod | undefined,
): DestinationProfile {
  const info = describe(state, cfg, undefined, addr.ip, addr.port, pod);
  const endpoint = toWeightedAddr(info);
  endpoint.metricLabels = { namespace, ...info.labels };
  return {
    fullyQualifiedName: '',
    opaqueProtocol: info.opaque,
    routes: [],
    retryBudget: DEFAULT_RETRY_BUDGET,
    dstOverrides: [],
    endpoint,
  };
}
