import type { InboundPolicy, InjectorConfig, ProxyResources } from './config.ts';
import { INBOUND_POLICIES, isInboundPolicy } from './config.ts';
import { InjectorError, InjectorErrorCode } from './errors.ts';
import type { PortRange } from './ports.ts';
import { parsePortList } from './ports.ts';

export const INJECT_ANNOTATION = 'weft.dev/inject';
export const CONFIG_PREFIX = 'config.weft.dev/';

/** Annotations the injector writes, so a reader can tell what was done. */
export const RECORD = {
  status: 'weft.dev/inject-status',
  proxyVersion: 'weft.dev/proxy-version',
  identityMode: 'weft.dev/identity-mode',
  createdBy: 'weft.dev/created-by',
} as const;

export const LABELS = {
  controlPlaneNs: 'weft.dev/control-plane-ns',
  workloadNs: 'weft.dev/workload-ns',
  /** Followed by the owner kind in lower case: weft.dev/proxy-deployment. */
  proxyOwnerPrefix: 'weft.dev/proxy-',
} as const;

/** Per-pod proxy settings: the config overlaid with `config.weft.dev/*` annotations. */
export interface ProxySettings {
  readonly image: string;
  readonly version: string;
  readonly imagePullPolicy: InjectorConfig['imagePullPolicy'];
  readonly logLevel: string;
  readonly logFormat: 'plain' | 'json';
  readonly proxyUid: number;
  readonly defaultInboundPolicy: InboundPolicy;
  readonly resources: ProxyResources;
  readonly skipInboundPorts: readonly PortRange[];
  readonly skipOutboundPorts: readonly PortRange[];
  /** Explicitly opaque ports; undefined means "the defaults the pod exposes". */
  readonly opaquePorts: readonly PortRange[] | undefined;
  readonly requireIdentityInboundPorts: readonly PortRange[];
  readonly nativeSidecar: boolean;
}

// Kubernetes' quantity grammar, enough to refuse "lots" or "100 m" before the
// API server does so with a far less helpful message.
const QUANTITY = /^(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+)?$/;

/**
 * Overlays the pod's `config.weft.dev/*` annotations (already merged with the
 * namespace's, pod first) on the injector config. Throws InvalidAnnotation
 * naming the annotation when a value is unusable.
 */
export function resolveProxySettings(
  annotations: Readonly<Record<string, string>>,
  config: InjectorConfig,
): ProxySettings {
  const get = (name: string): string | undefined => {
    const v = annotations[CONFIG_PREFIX + name];
    return v === undefined ? undefined : v.trim();
  };
  const bad = (name: string, value: string, expected: string) =>
    new InjectorError(InjectorErrorCode.InvalidAnnotation, `${CONFIG_PREFIX}${name}: "${value}" is not ${expected}`, {
      annotation: CONFIG_PREFIX + name,
      value,
    });
  const quantity = (name: string, fallback: string | undefined) => {
    const v = get(name);
    if (v === undefined) return fallback;
    if (!QUANTITY.test(v)) throw bad(name, v, 'a Kubernetes quantity such as 100m or 64Mi');
    return v;
  };
  const ports = (name: string) => {
    const v = get(name);
    return v === undefined ? undefined : parsePortList(v, CONFIG_PREFIX + name);
  };

  const policy = get('default-inbound-policy') ?? config.defaultInboundPolicy;
  if (!isInboundPolicy(policy)) throw bad('default-inbound-policy', policy, `one of ${INBOUND_POLICIES.join(', ')}`);
  const pull = get('image-pull-policy') ?? config.imagePullPolicy;
  if (pull !== 'Always' && pull !== 'IfNotPresent' && pull !== 'Never') {
    throw bad('image-pull-policy', pull, 'Always, IfNotPresent or Never');
  }
  const format = get('proxy-log-format') ?? config.logFormat;
  if (format !== 'plain' && format !== 'json') throw bad('proxy-log-format', format, 'plain or json');
  const uidText = get('proxy-uid');
  const proxyUid = uidText === undefined ? config.proxyUid : Number(uidText);
  if (!Number.isInteger(proxyUid) || proxyUid < 1 || proxyUid > 2147483647) {
    throw bad('proxy-uid', uidText ?? '', 'a non-root user id');
  }
  const logLevel = get('proxy-log-level') ?? config.logLevel;
  if (!/^[A-Za-z0-9_=,.:-]+$/.test(logLevel))
    throw bad('proxy-log-level', logLevel, 'a log filter such as warn,weft=debug');
  const native = get('proxy-enable-native-sidecar');
  if (native !== undefined && native !== 'true' && native !== 'false') {
    throw bad('proxy-enable-native-sidecar', native, 'true or false');
  }
  const version = get('proxy-version') ?? config.proxyVersion;
  const image = get('proxy-image') ?? config.proxyImage;

  return {
    // A version override retags the configured image, as Linkerd's does.
    image: get('proxy-version') === undefined ? image : `${image.replace(/:[^:/]+$/, '')}:${version}`,
    version,
    imagePullPolicy: pull,
    logLevel,
    logFormat: format,
    proxyUid,
    defaultInboundPolicy: policy,
    resources: {
      cpuRequest: quantity('proxy-cpu-request', config.resources.cpuRequest),
      cpuLimit: quantity('proxy-cpu-limit', config.resources.cpuLimit),
      memoryRequest: quantity('proxy-memory-request', config.resources.memoryRequest),
      memoryLimit: quantity('proxy-memory-limit', config.resources.memoryLimit),
    },
    skipInboundPorts: ports('skip-inbound-ports') ?? [],
    skipOutboundPorts: ports('skip-outbound-ports') ?? [],
    opaquePorts: ports('opaque-ports'),
    requireIdentityInboundPorts: ports('proxy-require-identity-inbound-ports') ?? [],
    nativeSidecar: native === undefined ? config.nativeSidecar : native === 'true',
  };
}
