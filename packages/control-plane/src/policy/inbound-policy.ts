import type { Authn } from '@weft/api/gen/weft/policy/Authn.ts';
import type { Authz } from '@weft/api/gen/weft/policy/Authz.ts';
import type { HttpLocalRateLimit } from '@weft/api/gen/weft/policy/HttpLocalRateLimit.ts';
import type { HttpRoute } from '@weft/api/gen/weft/policy/HttpRoute.ts';
import type { ProxyProtocol } from '@weft/api/gen/weft/policy/ProxyProtocol.ts';
import type { Server } from '@weft/api/gen/weft/policy/Server.ts';
import { type ControlPlaneConfig, identityName } from '../config.ts';
import { DEFAULT_INBOUND_POLICY, isOpaquePort } from '../resources/annotations.ts';
import type { AuthorizationPolicy, Pod, PolicyServer } from '../resources/types.ts';
import type { ResourceState } from '../store/state.ts';
import { ALL_NETWORKS, type DefaultPolicyName, defaultAuthorizations, isDefaultPolicyName } from './defaults.ts';
import { defaultRoutes, inboundRoutes } from './inbound-routes.ts';
import { selects } from './selector.ts';

export type PolicyConfig = Pick<
  ControlPlaneConfig,
  'defaultInboundPolicy' | 'clusterNetworks' | 'namespace' | 'trustDomain'
>;

const DETECT_TIMEOUT = { seconds: 10, nanos: 0 };
const POLICY_GROUP = 'policy.weft.dev';

function protocolOf(server: PolicyServer, routes: HttpRoute[], limit: HttpLocalRateLimit | undefined): ProxyProtocol {
  switch (server.proxyProtocol) {
    case 'HTTP/1':
      return { http1: { routes, localRateLimit: limit } };
    case 'HTTP/2':
      return { http2: { routes, localRateLimit: limit } };
    case 'gRPC':
      return { grpc: { routes, localRateLimit: limit } };
    case 'opaque':
      return { opaque: {} };
    case 'TLS':
      return { tls: {} };
    default:
      return { detect: { timeout: DETECT_TIMEOUT, httpRoutes: routes, httpLocalRateLimit: limit } };
  }
}

/**
 * The HTTPLocalRateLimitPolicy targeting the Server (by name order when
 * several do, as Linkerd takes one), with override clients as identities.
 */
function rateLimitOf(state: ResourceState, cfg: PolicyConfig, server: PolicyServer): HttpLocalRateLimit | undefined {
  const policy = state
    .list('HTTPLocalRateLimitPolicy', server.meta.namespace)
    .filter(
      (p) =>
        p.targetRef.kind === 'Server' && p.targetRef.group === POLICY_GROUP && p.targetRef.name === server.meta.name,
    )
    .sort((a, b) => a.meta.name.localeCompare(b.meta.name))[0];
  if (!policy) return undefined;
  return {
    totalRps: policy.totalRps ?? 0,
    identityRps: policy.identityRps ?? 0,
    overrides: policy.overrides.map((o) => ({
      rps: o.rps,
      identities: o.clientRefs
        .filter((r) => r.kind === 'ServiceAccount')
        .map((r) => identityName(cfg, r.name, r.namespace ?? policy.meta.namespace)),
    })),
  };
}

/** The Server that selects this pod's port; by name order when several do, so the choice is stable. */
export function findServer(state: ResourceState, pod: Pod, port: number): PolicyServer | undefined {
  return state
    .list('Server', pod.meta.namespace)
    .filter((s) => selects(s.podSelector, pod.meta.labels))
    .filter((s) =>
      typeof s.port === 'number'
        ? s.port === port
        : pod.containerPorts.some((p) => p.name === s.port && p.port === port),
    )
    .sort((a, b) => a.meta.name.localeCompare(b.meta.name))[0];
}

/** Turns one AuthorizationPolicy into an authorization, or undefined while a reference it needs is missing. */
function authorizationOf(state: ResourceState, cfg: PolicyConfig, policy: AuthorizationPolicy): Authz | undefined {
  const ns = policy.meta.namespace;
  let networks = ALL_NETWORKS;
  let authentication: Authn = { unauthenticated: {} };
  const identities: string[] = [];
  const suffixes: string[] = [];
  let identityRef = false;
  for (const ref of policy.requiredAuthenticationRefs) {
    const refNs = ref.namespace ?? ns;
    if (ref.kind === 'NetworkAuthentication' && ref.group === POLICY_GROUP) {
      const na = state.get('NetworkAuthentication', refNs, ref.name);
      if (!na) return undefined;
      networks = na.networks.map((n) => ({ net: n.cidr, except: n.except }));
    } else if (ref.kind === 'MeshTLSAuthentication' && ref.group === POLICY_GROUP) {
      const mtls = state.get('MeshTLSAuthentication', refNs, ref.name);
      if (!mtls) return undefined;
      identityRef = true;
      for (const id of mtls.identities) {
        if (id === '*') suffixes.push('');
        else if (id.startsWith('*.')) suffixes.push(id.slice(2));
        else identities.push(id);
      }
      for (const r of mtls.identityRefs) {
        if (r.kind === 'ServiceAccount') identities.push(identityName(cfg, r.name, r.namespace ?? refNs));
        else if (r.kind === 'Namespace')
          suffixes.push(`${r.name}.serviceaccount.identity.${cfg.namespace}.${cfg.trustDomain}`);
      }
    } else if (ref.kind === 'ServiceAccount') {
      identityRef = true;
      identities.push(identityName(cfg, ref.name, refNs));
    } else {
      return undefined;
    }
  }
  if (identityRef) authentication = { meshTls: { identities: { identities, suffixes } } };
  return {
    networks,
    authentication,
    labels: { group: POLICY_GROUP, kind: 'authorizationpolicy', name: policy.meta.name },
  };
}

function targets(policy: AuthorizationPolicy, server: PolicyServer): boolean {
  const t = policy.targetRef;
  if (t.kind === 'Namespace') return t.name === server.meta.namespace;
  return t.kind === 'Server' && t.group === POLICY_GROUP && t.name === server.meta.name;
}

/**
 * The inbound policy of one pod port. With a Server, its AuthorizationPolicies
 * (and the Server's accessPolicy as the fallback); without one, the pod's
 * default policy (annotation, else the control plane's default).
 */
export function inboundPolicy(state: ResourceState, cfg: PolicyConfig, pod: Pod | undefined, port: number): Server {
  const server = pod ? findServer(state, pod, port) : undefined;
  if (!server) {
    const annotated = pod?.meta.annotations[DEFAULT_INBOUND_POLICY];
    const name: DefaultPolicyName = isDefaultPolicyName(annotated) ? annotated : cfg.defaultInboundPolicy;
    return {
      protocol: isOpaquePort(pod?.meta, port)
        ? { opaque: {} }
        : { detect: { timeout: DETECT_TIMEOUT, httpRoutes: defaultRoutes(pod, port, ALL_NETWORKS) } },
      authorizations: defaultAuthorizations(name, cfg.clusterNetworks),
      labels: { group: '', kind: 'default', name },
    };
  }
  const authorizations = state
    .list('AuthorizationPolicy', server.meta.namespace)
    .filter((p) => targets(p, server))
    .sort((a, b) => a.meta.name.localeCompare(b.meta.name))
    .map((p) => authorizationOf(state, cfg, p))
    .filter((a): a is Authz => a !== undefined);
  if (isDefaultPolicyName(server.accessPolicy) && server.accessPolicy !== 'deny') {
    authorizations.push(...defaultAuthorizations(server.accessPolicy, cfg.clusterNetworks));
  }
  const routes = inboundRoutes(state, server, (p) => authorizationOf(state, cfg, p));
  return {
    protocol: protocolOf(
      server,
      routes.length > 0 ? routes : defaultRoutes(pod, port, ALL_NETWORKS),
      rateLimitOf(state, cfg, server),
    ),
    authorizations,
    labels: { group: POLICY_GROUP, kind: 'server', name: server.meta.name },
  };
}
