import { canonicalIp, isLoopback } from '../resources/ip-address.ts';
import type { Pod } from '../resources/types.ts';
import type { ResourceState } from '../store/state.ts';
import type { AddressTarget, ServiceTarget } from './authority.ts';
import { type DestinationConfig, describe, type ResolvedEndpoints, resolveEndpoints } from './endpoints.ts';

/** What an `IP:port` names right now. */
export type AddressMeaning =
  | { kind: 'service'; target: ServiceTarget }
  | { kind: 'pod'; namespace: string; pod: Pod | undefined }
  | { kind: 'unknown' };

/**
 * Linkerd's order: a Service's cluster IP first, then a pod's IP (a Pod's
 * status.podIP, else an address an EndpointSlice lists), else nothing. Should two Services
 * claim one cluster IP, the first by `ns/name` wins, so the answer is stable.
 */
export function resolveAddress(state: ResourceState, clusterDomain: string, addr: AddressTarget): AddressMeaning {
  const [service] = state.at('Service', addr.ip);
  if (service) {
    const { namespace, name } = service.meta;
    return {
      kind: 'service',
      target: { namespace, service: name, port: addr.port, fqdn: `${name}.${namespace}.svc.${clusterDomain}` },
    };
  }
  // A pod's own IP is its alone, whatever the port. An address pods share (host network; loopback, where
  // every local workload listens) is told apart by the port: it is the pod's that declares it.
  const pods = state.at('Pod', addr.ip);
  const shared = pods.length > 1 || isLoopback(addr.ip);
  const pod = shared ? pods.find((p) => p.containerPorts.some((c) => c.port === addr.port)) : pods[0];
  if (pod) return { kind: 'pod', namespace: pod.meta.namespace, pod };
  const slices = state.at('EndpointSlice', addr.ip);
  const slice = slices.find((s) => s.ports.some((p) => p.port === addr.port)) ?? (shared ? undefined : slices[0]);
  if (!slice) return { kind: 'unknown' };
  const ns = slice.meta.namespace;
  const name = slice.endpoints.find((e) => e.addresses.some((a) => canonicalIp(a) === addr.ip))?.pod;
  return { kind: 'pod', namespace: ns, pod: name === undefined ? undefined : state.get('Pod', ns, name) };
}

/** The endpoints an `IP:port` stands for: its Service's, the one pod, or none (exists: false: forward it as it is). */
export function resolveAddressEndpoints(
  state: ResourceState,
  cfg: DestinationConfig,
  addr: AddressTarget,
): ResolvedEndpoints {
  const meaning = resolveAddress(state, cfg.clusterDomain, addr);
  if (meaning.kind === 'service') return resolveEndpoints(state, cfg, meaning.target);
  const endpoints = new Map();
  const pods = new Set<string>();
  const services = new Set<string>();
  if (meaning.kind === 'unknown') return { exists: false, endpoints, labels: {}, pods, services };
  const endpoint = describe(state, cfg, undefined, addr.ip, addr.port, meaning.pod);
  endpoints.set(`${addr.ip}:${addr.port}`, endpoint);
  if (endpoint.podKey) pods.add(endpoint.podKey);
  return { exists: true, endpoints, labels: { namespace: meaning.namespace }, pods, services };
}
