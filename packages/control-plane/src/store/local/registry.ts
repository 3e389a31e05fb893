import type { ControlPlaneConfig } from '../../config.ts';
import { identityName } from '../../config.ts';
import { cpError, ErrorCode } from '../../errors.ts';
import type { EndpointSlice, Pod, Service } from '../../resources/types.ts';
import type { Change } from '../state.ts';
import { changeFor } from '../state.ts';

/** A workload the local runner announced; it exists while its registration lives. */
export interface LocalWorkload {
  namespace: string;
  /** The Service it backs; empty for pure clients. */
  service: string;
  pod: string;
  deployment: string;
  serviceAccount: string;
  ip: string;
  /** 0: each Service port is served on its own targetPort, as a Kubernetes pod serves it. */
  port: number;
  /** Which Service port `port` serves; 0 for all of them. */
  servicePort: number;
  meshed: boolean;
  inboundPort: number;
  opaque: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function validateWorkload(w: LocalWorkload): void {
  const bad = (message: string) => {
    throw cpError(ErrorCode.InvalidRegistration, message, { pod: w.pod, namespace: w.namespace });
  };
  for (const [field, value] of [
    ['namespace', w.namespace],
    ['pod', w.pod],
  ] as const) {
    if (!DNS_LABEL.test(value)) bad(`${field} "${value}" is not a DNS label`);
  }
  if (w.service && !DNS_LABEL.test(w.service)) bad(`service "${w.service}" is not a DNS label`);
  if (w.service && !(w.port >= 0 && w.port < 65536)) bad(`address port ${w.port} is not 0-65535`);
  if (w.service && !w.ip) bad('a workload that backs a Service needs an address');
}

/**
 * Turns registrations into the same Pod and EndpointSlice resources the
 * Kubernetes backend reads, so discovery and policy have one code path.
 */
export type ServiceLookup = (namespace: string, name: string) => Service | undefined;

export function workloadResources(
  cfg: Pick<ControlPlaneConfig, 'namespace'>,
  w: LocalWorkload,
  services: ServiceLookup,
) {
  const labels: Record<string, string> = { ...w.labels };
  if (w.meshed) labels['weft.dev/control-plane-ns'] = cfg.namespace;
  const service = w.service ? services(w.namespace, w.service) : undefined;
  // A named targetPort names a container port, which a registration does not list: such a port is not served.
  const served = (service?.ports ?? []).flatMap((p) => {
    const port = w.port !== 0 ? w.port : p.targetPort;
    return typeof port === 'number' ? [{ name: p.name, servicePort: p.port, port, appProtocol: p.appProtocol }] : [];
  });
  const pod: Pod = {
    kind: 'Pod',
    meta: { name: w.pod, namespace: w.namespace, labels, annotations: { ...w.annotations } },
    ip: w.ip || undefined,
    serviceAccount: w.serviceAccount || 'default',
    owner: w.deployment ? { kind: 'deployment', name: w.deployment } : undefined,
    containerPorts: served.map((p) => ({ name: p.name, port: p.port })),
    httpProbes: [],
    proxyInboundPort: w.meshed ? w.inboundPort || 4143 : undefined,
  };
  if (w.opaque) {
    pod.meta = {
      ...pod.meta,
      annotations: {
        ...pod.meta.annotations,
        'config.weft.dev/opaque-ports': w.port !== 0 ? String(w.port) : served.map((p) => p.port).join(','),
      },
    };
  }
  const slice: EndpointSlice | undefined = w.service
    ? {
        kind: 'EndpointSlice',
        meta: { name: `${w.service}-local-${w.pod}`, namespace: w.namespace, labels: {}, annotations: {} },
        service: w.service,
        // A slice port per Service port served, named like it, so `svc:port` maps to this address.
        ports: served
          .filter((p) => w.servicePort === 0 || p.servicePort === w.servicePort)
          .map((p) => ({ name: p.name, port: p.port, appProtocol: p.appProtocol })),
        endpoints: [{ addresses: [w.ip], ready: true, pod: w.pod }],
      }
    : undefined;
  return { pod, slice };
}

export function registrationChanges(
  cfg: Pick<ControlPlaneConfig, 'namespace'>,
  w: LocalWorkload,
  services: ServiceLookup,
  add: boolean,
): Change[] {
  const { pod, slice } = workloadResources(cfg, w, services);
  const resources = slice ? [pod, slice] : [pod];
  return resources.map((r) => (add ? changeFor(r) : { kind: r.kind, key: changeFor(r).key }));
}

export const workloadIdentity = (cfg: Pick<ControlPlaneConfig, 'namespace' | 'trustDomain'>, w: LocalWorkload) =>
  w.meshed ? identityName(cfg, w.serviceAccount || 'default', w.namespace) : '';
