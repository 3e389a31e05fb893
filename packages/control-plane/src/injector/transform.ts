import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { CONFIG_PREFIX, INJECT_ANNOTATION, LABELS, RECORD, resolveProxySettings } from './annotations.ts';
import type { InjectorConfig } from './config.ts';
import { identityName, initContainer, meshVolumes, PROXY_CONTAINER, proxyContainer } from './containers.ts';
import type { PatchOperation } from './json-patch.ts';
import { escapePointerToken } from './json-patch.ts';
import type { PortRange } from './ports.ts';
import { portInRanges } from './ports.ts';

/** The workload that owns the pod, for the weft.dev/proxy-<kind> label. */
export interface PodOwner {
  readonly kind: string;
  readonly name: string;
}

export interface InjectInput {
  readonly pod: V1Pod;
  /** The pod's namespace; undefined offline when the YAML names none. */
  readonly namespace: string | undefined;
  /** The namespace object's annotations (from the API server, or flags offline). */
  readonly namespaceAnnotations: Readonly<Record<string, string>>;
  readonly owner?: PodOwner;
}

export type SkipReason =
  | 'injection-not-enabled'
  | 'injection-disabled'
  | 'already-injected'
  | 'host-network'
  | 'no-containers';

export type InjectResult =
  | { readonly kind: 'injected'; readonly patch: PatchOperation[]; readonly identity: string }
  | { readonly kind: 'skipped'; readonly reason: SkipReason; readonly message: string };

const INJECTING = new Set(['enabled', 'ingress']);

/** Decides whether to inject, with the reason a user sees when not. */
export function injectionDecision(input: InjectInput): { reason: SkipReason; message: string } | undefined {
  const { pod } = input;
  const containers = pod.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    return { reason: 'no-containers', message: 'pod spec has no containers' };
  }
  if (containers.some((c) => typeof c !== 'object' || c === null || typeof c.name !== 'string')) {
    return { reason: 'no-containers', message: 'pod spec has a container without a name' };
  }
  const all = [...containers, ...(Array.isArray(pod.spec?.initContainers) ? pod.spec.initContainers : [])];
  if (pod.metadata?.annotations?.[RECORD.status] || all.some((c) => c?.name === PROXY_CONTAINER)) {
    return { reason: 'already-injected', message: `pod already has the ${PROXY_CONTAINER} sidecar` };
  }
  const onPod = pod.metadata?.annotations?.[INJECT_ANNOTATION];
  const onNs = input.namespaceAnnotations[INJECT_ANNOTATION];
  // The pod's own annotation wins over its namespace's, in both directions.
  const value = onPod ?? onNs;
  if (value === 'disabled') {
    const where = onPod !== undefined ? 'pod' : 'namespace';
    return { reason: 'injection-disabled', message: `${where} has annotation ${INJECT_ANNOTATION}: disabled` };
  }
  if (value === undefined || !INJECTING.has(value)) {
    return {
      reason: 'injection-not-enabled',
      message: `neither the pod nor its namespace has annotation ${INJECT_ANNOTATION}: enabled`,
    };
  }
  if (pod.spec?.hostNetwork === true) {
    return { reason: 'host-network', message: 'pod has hostNetwork: true, so its traffic cannot be redirected' };
  }
  return undefined;
}

/** The owner from ownerReferences; a ReplicaSet made by a Deployment names the Deployment. */
export function ownerOf(pod: V1Pod): PodOwner | undefined {
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller) ?? pod.metadata?.ownerReferences?.[0];
  if (!ref?.kind || !ref.name) return undefined;
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (ref.kind === 'ReplicaSet' && hash && ref.name.endsWith(`-${hash}`)) {
    return { kind: 'Deployment', name: ref.name.slice(0, -hash.length - 1) };
  }
  return { kind: ref.kind, name: ref.name };
}

function tcpPorts(containers: readonly V1Container[]): number[] {
  const ports = new Set<number>();
  for (const c of containers) {
    for (const p of Array.isArray(c.ports) ? c.ports : []) {
      if (typeof p === 'object' && p !== null && (p.protocol ?? 'TCP') === 'TCP' && Number.isInteger(p.containerPort))
        ports.add(p.containerPort);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** JSON-patch operations that set `entries` under a map, creating the map first when absent. */
function mapOps(base: string, existing: unknown, entries: Record<string, string>): PatchOperation[] {
  const ops: PatchOperation[] = [];
  if (typeof existing !== 'object' || existing === null) ops.push({ op: 'add', path: base, value: {} });
  for (const [k, v] of Object.entries(entries))
    ops.push({ op: 'add', path: `${base}/${escapePointerToken(k)}`, value: v });
  return ops;
}

/**
 * The injector: pod + namespace annotations + config → JSON patch. Pure, so
 * the webhook and `weft inject --manual` produce the same pod.
 */
export function injectPod(input: InjectInput, config: InjectorConfig): InjectResult {
  const skip = injectionDecision(input);
  if (skip) return { kind: 'skipped', ...skip };
  const { pod } = input;
  const spec = pod.spec as NonNullable<V1Pod['spec']>;
  const podAnnotations = pod.metadata?.annotations ?? {};

  // Namespace config.weft.dev/* settings apply unless the pod sets its own.
  const inherited: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.namespaceAnnotations)) {
    if (k.startsWith(CONFIG_PREFIX) && podAnnotations[k] === undefined && typeof v === 'string') inherited[k] = v;
  }
  const settings = resolveProxySettings({ ...podAnnotations, ...inherited }, config);

  const namespace = input.namespace ?? pod.metadata?.namespace;
  const sa = spec.serviceAccountName ?? spec.serviceAccount ?? 'default';
  // Offline with no namespace in the YAML, the kubelet fills it in from the downward API.
  const identity = identityName(sa, namespace ?? '$(_pod_ns)', config);
  const exposed = tcpPorts(spec.containers).filter((p) => !portInRanges(p, settings.skipInboundPorts));
  const opaque: PortRange[] = settings.opaquePorts
    ? [...settings.opaquePorts]
    : exposed.filter((p) => portInRanges(p, config.opaquePorts)).map((p) => ({ from: p, to: p }));
  const ingress = (podAnnotations[INJECT_ANNOTATION] ?? input.namespaceAnnotations[INJECT_ANNOTATION]) === 'ingress';
  const proxy = proxyContainer(settings, { identity, inboundPorts: exposed, opaquePorts: opaque, ingress }, config);
  const init = initContainer(settings, config);

  const annotations = {
    ...inherited,
    [RECORD.status]: 'injected',
    [RECORD.proxyVersion]: settings.version,
    [RECORD.identityMode]: 'default',
    [RECORD.createdBy]: config.createdBy,
  };
  const owner = input.owner ?? ownerOf(pod);
  const labels: Record<string, string> = { [LABELS.controlPlaneNs]: config.controlPlaneNamespace };
  if (namespace) labels[LABELS.workloadNs] = namespace;
  if (owner) labels[LABELS.proxyOwnerPrefix + owner.kind.toLowerCase()] = owner.name;

  const patch: PatchOperation[] = [];
  if (!pod.metadata) patch.push({ op: 'add', path: '/metadata', value: {} });
  patch.push(...mapOps('/metadata/annotations', pod.metadata?.annotations, annotations));
  patch.push(...mapOps('/metadata/labels', pod.metadata?.labels, labels));
  // weft-init must run first so every later container's traffic is redirected;
  // a native-sidecar proxy follows it, ahead of the app's own init containers.
  const front = settings.nativeSidecar ? [init, proxy] : [init];
  if (Array.isArray(spec.initContainers)) {
    for (const [i, c] of front.entries()) patch.push({ op: 'add', path: `/spec/initContainers/${i}`, value: c });
  } else {
    patch.push({ op: 'add', path: '/spec/initContainers', value: front });
  }
  if (!settings.nativeSidecar) patch.push({ op: 'add', path: '/spec/containers/0', value: proxy });
  if (Array.isArray(spec.volumes)) {
    for (const v of meshVolumes()) patch.push({ op: 'add', path: '/spec/volumes/-', value: v });
  } else {
    patch.push({ op: 'add', path: '/spec/volumes', value: meshVolumes() });
  }
  return { kind: 'injected', patch, identity };
}
