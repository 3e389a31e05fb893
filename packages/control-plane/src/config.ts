import { cpError, ErrorCode } from './errors.ts';
import { DEFAULT_POLICY_NAMES, type DefaultPolicyName } from './policy/defaults.ts';

export type EnvReader = (name: string) => string | undefined;

export interface ListenAddress {
  host: string;
  port: number;
}

export interface ControlPlaneConfig {
  /** Where resources come from: the Kubernetes API, or a folder of YAML plus local registrations. */
  backend: 'k8s' | 'local';
  /** The folder of YAML read by the local backend. */
  resourceDir: string;
  /** Destination, policy and (locally) registration share this gRPC listener. */
  listen: ListenAddress;
  /** /metrics and /ready. */
  admin: ListenAddress;
  clusterDomain: string;
  /** The control plane's namespace: part of every identity, and the meshed-pod label's value. */
  namespace: string;
  trustDomain: string;
  defaultInboundPolicy: DefaultPolicyName;
  /** CIDRs the cluster-* default policies admit. */
  clusterNetworks: string[];
  /** Quiet time after a change in the resource folder before it is read. */
  debounceMs: number;
  /** Kubeconfig file; empty means in-cluster or the default kubeconfig. */
  kubeconfig: string;
}

const DEFAULT_CLUSTER_NETWORKS = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16', 'fd00::/8'];

function parseListen(name: string, value: string): ListenAddress {
  const match = /^(?:\[?([^\]]*)\]?:)?(\d+)$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port > 65535) {
    throw cpError(ErrorCode.InvalidConfig, `${name}=${value} is not [host:]port`, { name, value });
  }
  return { host: match[1] || '0.0.0.0', port };
}

/** Reads the WEFT_CP_* variables once; every value is checked here so a bad one stops startup with its name. */
export function loadConfig(env: EnvReader = (name) => process.env[name]): ControlPlaneConfig {
  const read = (name: string, fallback: string) => env(name)?.trim() || fallback;
  const backend = read('WEFT_CP_BACKEND', 'local');
  if (backend !== 'k8s' && backend !== 'local') {
    throw cpError(ErrorCode.InvalidConfig, `WEFT_CP_BACKEND=${backend} is not k8s or local`);
  }
  const policy = read('WEFT_CP_DEFAULT_INBOUND_POLICY', 'all-unauthenticated');
  if (!(DEFAULT_POLICY_NAMES as readonly string[]).includes(policy)) {
    throw cpError(
      ErrorCode.InvalidConfig,
      `WEFT_CP_DEFAULT_INBOUND_POLICY=${policy} is not one of ${DEFAULT_POLICY_NAMES.join(', ')}`,
    );
  }
  const debounceMs = Number(read('WEFT_CP_DEBOUNCE_MS', '100'));
  if (!Number.isInteger(debounceMs) || debounceMs < 0) {
    throw cpError(ErrorCode.InvalidConfig, `WEFT_CP_DEBOUNCE_MS=${env('WEFT_CP_DEBOUNCE_MS')} is not a whole number`);
  }
  return {
    backend,
    resourceDir: read('WEFT_CP_RESOURCE_DIR', 'weft-resources'),
    listen: parseListen('WEFT_CP_LISTEN_ADDR', read('WEFT_CP_LISTEN_ADDR', '0.0.0.0:8086')),
    admin: parseListen('WEFT_CP_ADMIN_ADDR', read('WEFT_CP_ADMIN_ADDR', '0.0.0.0:9996')),
    clusterDomain: read('WEFT_CP_CLUSTER_DOMAIN', 'cluster.local'),
    namespace: read('WEFT_CP_NAMESPACE', 'weft'),
    trustDomain: read('WEFT_CP_TRUST_DOMAIN', 'cluster.local'),
    defaultInboundPolicy: policy as DefaultPolicyName,
    clusterNetworks: read('WEFT_CP_CLUSTER_NETWORKS', DEFAULT_CLUSTER_NETWORKS.join(','))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    debounceMs,
    kubeconfig: read('WEFT_CP_KUBECONFIG', ''),
  };
}

/** `<sa>.<ns>.serviceaccount.identity.<control-plane-ns>.<trust-domain>` */
export const identityName = (cfg: Pick<ControlPlaneConfig, 'namespace' | 'trustDomain'>, sa: string, ns: string) =>
  `${sa}.${ns}.serviceaccount.identity.${cfg.namespace}.${cfg.trustDomain}`;
