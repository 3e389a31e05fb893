import { InjectorError, InjectorErrorCode } from './errors.ts';
import type { PortRange } from './ports.ts';
import { parsePortList } from './ports.ts';

/** Kubernetes resource quantities for the proxy container; absent means unset. */
export interface ProxyResources {
  readonly cpuRequest?: string;
  readonly cpuLimit?: string;
  readonly memoryRequest?: string;
  readonly memoryLimit?: string;
}

/** Everything the injector needs to know about the installed mesh. */
export interface InjectorConfig {
  /** Image holding both the proxy and proxy-init. */
  readonly proxyImage: string;
  readonly proxyVersion: string;
  readonly imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  readonly controlPlaneNamespace: string;
  readonly trustDomain: string;
  readonly clusterDomain: string;
  /** PEM bundle handed to every proxy; empty when unknown (offline without anchors). */
  readonly trustAnchorsPem: string;
  readonly proxyUid: number;
  readonly ports: { readonly inbound: number; readonly outbound: number; readonly admin: number; readonly tap: number };
  readonly logLevel: string;
  readonly logFormat: 'plain' | 'json';
  readonly defaultInboundPolicy: InboundPolicy;
  /** Ports treated as opaque TCP when the pod exposes them (Linkerd's default list). */
  readonly opaquePorts: readonly PortRange[];
  readonly clusterNetworks: string;
  readonly resources: ProxyResources;
  /** Run the proxy as a native sidecar (init container with restartPolicy Always). */
  readonly nativeSidecar: boolean;
  /** Written into `weft.dev/created-by`, e.g. "weft/proxy-injector 0.1.0". */
  readonly createdBy: string;
}

export const INBOUND_POLICIES = [
  'all-unauthenticated',
  'all-authenticated',
  'cluster-unauthenticated',
  'cluster-authenticated',
  'deny',
  'audit',
] as const;
export type InboundPolicy = (typeof INBOUND_POLICIES)[number];

export const isInboundPolicy = (v: string): v is InboundPolicy => (INBOUND_POLICIES as readonly string[]).includes(v);

export const WEFT_VERSION = '0.1.0';

export const DEFAULT_INJECTOR_CONFIG: InjectorConfig = {
  proxyImage: `weft/mesh:${WEFT_VERSION}`,
  proxyVersion: WEFT_VERSION,
  imagePullPolicy: 'IfNotPresent',
  controlPlaneNamespace: 'weft-system',
  trustDomain: 'cluster.local',
  clusterDomain: 'cluster.local',
  trustAnchorsPem: '',
  proxyUid: 2102,
  ports: { inbound: 4143, outbound: 4140, admin: 4191, tap: 4190 },
  logLevel: 'info',
  logFormat: 'plain',
  defaultInboundPolicy: 'all-unauthenticated',
  opaquePorts: parsePortList('25,587,3306,4444,5432,6379,9300,11211', 'default opaque ports'),
  clusterNetworks: '10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16,fd00::/8',
  resources: { cpuRequest: '100m', memoryRequest: '20Mi', memoryLimit: '250Mi' },
  nativeSidecar: true,
  createdBy: `weft/proxy-injector ${WEFT_VERSION}`,
};

export type EnvReader = (name: string) => string | undefined;

/**
 * Reads WEFT_INJECTOR_* overrides over the defaults. The trust anchors come
 * through `readFile` so the injector can load the mounted ConfigMap and tests
 * can hand in a string.
 */
export function readInjectorConfig(env: EnvReader, readFile: (path: string) => string): InjectorConfig {
  const d = DEFAULT_INJECTOR_CONFIG;
  const str = (name: string, fallback: string) => {
    const v = env(name)?.trim();
    return v ? v : fallback;
  };
  const policy = str('WEFT_INJECTOR_DEFAULT_INBOUND_POLICY', d.defaultInboundPolicy);
  if (!isInboundPolicy(policy)) {
    throw new InjectorError(
      InjectorErrorCode.InvalidConfig,
      `WEFT_INJECTOR_DEFAULT_INBOUND_POLICY: "${policy}" is not one of ${INBOUND_POLICIES.join(', ')}`,
    );
  }
  const pull = str('WEFT_INJECTOR_IMAGE_PULL_POLICY', d.imagePullPolicy);
  if (pull !== 'Always' && pull !== 'IfNotPresent' && pull !== 'Never') {
    throw new InjectorError(
      InjectorErrorCode.InvalidConfig,
      `WEFT_INJECTOR_IMAGE_PULL_POLICY: "${pull}" is not Always, IfNotPresent or Never`,
    );
  }
  const anchorsFile = env('WEFT_INJECTOR_TRUST_ANCHORS_FILE');
  let trustAnchorsPem = d.trustAnchorsPem;
  if (anchorsFile) {
    try {
      trustAnchorsPem = readFile(anchorsFile);
    } catch (err) {
      throw new InjectorError(
        InjectorErrorCode.InvalidConfig,
        `WEFT_INJECTOR_TRUST_ANCHORS_FILE: cannot read ${anchorsFile}: ${(err as Error).message}`,
      );
    }
  }
  const version = str('WEFT_INJECTOR_PROXY_VERSION', d.proxyVersion);
  return {
    ...d,
    proxyImage: str('WEFT_INJECTOR_PROXY_IMAGE', d.proxyImage),
    proxyVersion: version,
    imagePullPolicy: pull,
    controlPlaneNamespace: str('WEFT_INJECTOR_CONTROL_PLANE_NAMESPACE', d.controlPlaneNamespace),
    trustDomain: str('WEFT_INJECTOR_TRUST_DOMAIN', d.trustDomain),
    clusterDomain: str('WEFT_INJECTOR_CLUSTER_DOMAIN', d.clusterDomain),
    trustAnchorsPem,
    logLevel: str('WEFT_INJECTOR_PROXY_LOG_LEVEL', d.logLevel),
    defaultInboundPolicy: policy,
    clusterNetworks: str('WEFT_INJECTOR_CLUSTER_NETWORKS', d.clusterNetworks),
    nativeSidecar: str('WEFT_INJECTOR_NATIVE_SIDECAR', 'true') !== 'false',
    createdBy: `weft/proxy-injector ${version}`,
  };
}
