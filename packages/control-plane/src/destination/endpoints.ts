import { type ControlPlaneConfig, identityName } from '../config.ts';
import { findServer } from '../policy/inbound-policy.ts';
import { CONTROL_PLANE_NS_LABEL, isOpaquePort } from '../resources/annotations.ts';
import type { Pod, Service } from '../resources/types.ts';
import type { ResourceState } from '../store/state.ts';
import type { ServiceTarget } from './authority.ts';

/** One address of a Service port, with what a client proxy needs to reach it. */
export interface EndpointInfo {
  ip: string;
  port: number;
  /** `ns/pod` of the backing pod, when known. */
  podKey?: string;
  /** pod, deployment (or the owner's kind), serviceaccount, control_plane_ns. */
  labels: Record<string, string>;
  /** The peer's mesh identity; set only for meshed pods of this control plane. */
  identity?: string;
  opaque: boolean;
  /** The peer proxy's inbound port, for meshed pods. */
  inboundPort?: number;
  /** Everything above as one string, so comparing two versions of an endpoint is one string compare. */
  signature: string;
}

export type DestinationConfig = Pick<ControlPlaneConfig, 'clusterDomain' | 'namespace' | 'trustDomain'>;

export interface ResolvedEndpoints {
  exists: boolean;
  endpoints: Map<string, EndpointInfo>;
  /** Labels of the whole set: namespace and service. */
  labels: Record<string, string>;
  /** `ns/pod` of every pod the slices name, found or not: a change to any of them may change this set. */
  pods: Set<string>;
  /** `ns/name` of the Service it was resolved from, existing or not: a change to it or its slices may change this set. */
  services: Set<string>;
}

/** The current endpoints of a Service port, keyed `ip:port`. */
export function resolveEndpoints(
  state: ResourceState,
  cfg: DestinationConfig,
  target: ServiceTarget,
): ResolvedEndpoints {
  const service = state.get('Service', target.namespace, target.service);
  const endpoints = new Map<string, EndpointInfo>();
  const pods = new Set<string>();
  const labels = { namespace: target.namespace, service: target.service };
  const services = new Set([`${target.namespace}/${target.service}`]);
  if (!service) return { exists: false, endpoints, labels, pods, services };
  const servicePort = service.ports.find((p) => p.port === target.port);
  for (const slice of state.slicesOf(target.namespace, target.service)) {
    // Slice ports carry the Service port's name; an unnamed single port matches by name ''.
    const slicePort = servicePort ? slice.ports.find((p) => p.name === servicePort.name) : undefined;
    for (const ep of slice.endpoints) {
      if (ep.pod) pods.add(`${target.namespace}/${ep.pod}`);
      if (!ep.ready) continue;
      const pod = ep.pod ? state.get('Pod', target.namespace, ep.pod) : undefined;
      const port = slicePort?.port ?? numericTarget(servicePort?.targetPort, pod, target.port);
      if (port === undefined) continue;
      for (const ip of ep.addresses) {
        endpoints.set(`${ip}:${port}`, describe(state, cfg, service, ip, port, pod));
      }
    }
  }
  return { exists: true, endpoints, labels, pods, services };
}

function numericTarget(targetPort: number | string | undefined, pod: Pod | undefined, fallback: number) {
  if (targetPort === undefined) return fallback;
  if (typeof targetPort === 'number') return targetPort;
  return pod?.containerPorts.find((p) => p.name === targetPort)?.port;
}

/** One address as a client proxy sees it; `service` (when reached through one) adds its opaque ports. */
export function describe(
  state: ResourceState,
  cfg: DestinationConfig,
  service: Service | undefined,
  ip: string,
  port: number,
  pod: Pod | undefined,
): EndpointInfo {
  const labels: Record<string, string> = {};
  const info: EndpointInfo = { ip, port, labels, opaque: isOpaquePort(service?.meta, port), signature: '' };
  if (pod) describePod(state, cfg, info, pod, port);
  info.signature = JSON.stringify([info.labels, info.identity, info.opaque, info.inboundPort]);
  return info;
}

function describePod(state: ResourceState, cfg: DestinationConfig, info: EndpointInfo, pod: Pod, port: number): void {
  const labels = info.labels;
  info.podKey = `${pod.meta.namespace}/${pod.meta.name}`;
  labels.pod = pod.meta.name;
  labels.serviceaccount = pod.serviceAccount;
  if (pod.owner) labels[pod.owner.kind] = pod.owner.name;
  if (isOpaquePort(pod.meta, port) || findServer(state, pod, port)?.proxyProtocol === 'opaque') info.opaque = true;
  if (pod.meta.labels[CONTROL_PLANE_NS_LABEL] === cfg.namespace) {
    labels.control_plane_ns = cfg.namespace;
    info.identity = identityName(cfg, pod.serviceAccount, pod.meta.namespace);
    info.inboundPort = pod.proxyInboundPort ?? 4143;
  }
}

export const sameEndpoint = (a: EndpointInfo, b: EndpointInfo) => a.signature === b.signature;
