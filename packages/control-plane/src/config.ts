import { cpError, ErrorCode } from './errors.ts';
import { DEFAULT_POLICY_NAMES, type DefaultPolicyName } from './policy/defaults.ts';
import { canonicalIp } from './resources/ip-address.ts';

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
  /**
   * Virtual IPs the local runner gave Services (`weft dev --pods`), by
   * `ns/name`: a Service its file declares without a clusterIP gets this one,
   * so `IP:port` lookups find it as on Kubernetes.
   */
  localServiceIPs: ReadonlyMap<string, string>;
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
  /** Where the gRPC server's certificate comes from; undefined serves plaintext (WEFT_CP_PLAINTEXT=true only). */
  identity: ControlPlaneIdentity | undefined;
  /** Concurrent Get, GetProfile and WatchPort streams one client identity (or connection) may hold. */
  maxWatchesPerClient: number;
  /** The only identity allowed to register workloads (the local runner's). */
  registrationIdentity: string;
}

/** The control plane is a workload of the mesh: it certifies its own identity like a proxy does. */
export interface ControlPlaneIdentity {
  /** Our identity: the SAN proxies check, `weft-destination.<ns>.serviceaccount.identity.<ns>.<td>`. */
  name: string;
  trustAnchorsPem: string;
  /** host:port of the identity service. */
  serviceAddr: string;
  /** The identity service's own name, checked on its certificate. */
  serviceName: string;
  /** The ServiceAccount token (Kubernetes) or the runner's minted token (local). */
  tokenFile: string;
}

const DEFAULT_CLUSTER_NETWORKS = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16', 'fd00::/8'];

const LOOPBACK = '127.0.0.1';
/** The control plane's ServiceAccount, whose identity proxies expect on destination and policy. */
export const CONTROL_PLANE_SERVICE_ACCOUNT = 'weft-destination';
/** The local runner's ServiceAccount: the one client registration accepts. */
export const RUNNER_SERVICE_ACCOUNT = 'weft-dev';

/**
 * Pods reach a cluster's control plane from other hosts, so Kubernetes binds
 * every address; locally nothing but this machine's own processes may, so a
 * non-loopback host is refused rather than quietly exposing the mesh's API.
 * The one exception is named on purpose: the bridge address `weft dev --pods`
 * gives the host (WEFT_CP_LOCAL_POD_GATEWAY), which only its pods reach.
 */
function parseListen(
  name: string,
  value: string,
  backend: 'k8s' | 'local',
  podGateway: string | undefined,
): ListenAddress {
  const match = /^(?:\[?([^\]]*)\]?:)?(\d+)$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port > 65535) {
    throw cpError(ErrorCode.InvalidConfig, `${name}=${value} is not [host:]port`, { name, value });
  }
  const host = match[1] || (backend === 'local' ? LOOPBACK : '0.0.0.0');
  if (backend === 'local' && host !== LOOPBACK && host !== '::1' && host !== podGateway) {
    const also = podGateway ? ` (or the pods' gateway ${podGateway})` : '';
    throw cpError(ErrorCode.InvalidConfig, `${name}=${value}: the local backend listens on loopback only${also}`, {
      name,
      value,
    });
  }
  return { host, port };
}

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw cpError(ErrorCode.InvalidConfig, `${name}=${text} is not a positive whole number`);
  }
  return value;
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
  const podGateway = env('WEFT_CP_LOCAL_POD_GATEWAY')?.trim() || undefined;
  if (podGateway !== undefined && canonicalIp(podGateway) !== podGateway) {
    throw cpError(ErrorCode.InvalidConfig, `WEFT_CP_LOCAL_POD_GATEWAY=${podGateway} is not an IP address`);
  }
  const namespace = read('WEFT_CP_NAMESPACE', 'weft');
  const trustDomain = read('WEFT_CP_TRUST_DOMAIN', 'cluster.local');
  const domain = { namespace, trustDomain };
  const debounceMs = Number(read('WEFT_CP_DEBOUNCE_MS', '100'));
  if (!Number.isInteger(debounceMs) || debounceMs < 0) {
    throw cpError(ErrorCode.InvalidConfig, `WEFT_CP_DEBOUNCE_MS=${env('WEFT_CP_DEBOUNCE_MS')} is not a whole number`);
  }
  return {
    backend,
    resourceDir: read('WEFT_CP_RESOURCE_DIR', 'weft-resources'),
    localServiceIPs: parseServiceIPs(read('WEFT_CP_LOCAL_SERVICE_IPS', '')),
    listen: parseListen('WEFT_CP_LISTEN_ADDR', read('WEFT_CP_LISTEN_ADDR', '8086'), backend, podGateway),
    admin: parseListen('WEFT_CP_ADMIN_ADDR', read('WEFT_CP_ADMIN_ADDR', '9996'), backend, podGateway),
    clusterDomain: read('WEFT_CP_CLUSTER_DOMAIN', 'cluster.local'),
    namespace,
    trustDomain,
    defaultInboundPolicy: policy as DefaultPolicyName,
    clusterNetworks: read('WEFT_CP_CLUSTER_NETWORKS', DEFAULT_CLUSTER_NETWORKS.join(','))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    debounceMs,
    kubeconfig: read('WEFT_CP_KUBECONFIG', ''),
    identity: read('WEFT_CP_PLAINTEXT', 'false') === 'true' ? undefined : readIdentity(read, domain),
    maxWatchesPerClient: positiveInteger(
      'WEFT_CP_MAX_WATCHES_PER_CLIENT',
      read('WEFT_CP_MAX_WATCHES_PER_CLIENT', '1000'),
    ),
    registrationIdentity: read(
      'WEFT_CP_REGISTRATION_IDENTITY',
      identityName(domain, RUNNER_SERVICE_ACCOUNT, namespace),
    ),
  };
}

function readIdentity(
  read: (name: string, fallback: string) => string,
  domain: Pick<ControlPlaneConfig, 'namespace' | 'trustDomain'>,
): ControlPlaneIdentity {
  const required = (name: string) => {
    const value = read(name, '');
    if (!value) {
      throw cpError(
        ErrorCode.InvalidConfig,
        `${name} is required: the control plane serves mTLS with a certificate from the identity service (WEFT_CP_PLAINTEXT=true serves plaintext, for tests)`,
      );
    }
    return value;
  };
  return {
    name: read('WEFT_CP_IDENTITY_LOCAL_NAME', identityName(domain, CONTROL_PLANE_SERVICE_ACCOUNT, domain.namespace)),
    trustAnchorsPem: required('WEFT_CP_IDENTITY_TRUST_ANCHORS'),
    serviceAddr: required('WEFT_CP_IDENTITY_SVC_ADDR'),
    serviceName: read('WEFT_CP_IDENTITY_SVC_NAME', identityName(domain, 'weft-identity', domain.namespace)),
    tokenFile: read('WEFT_CP_IDENTITY_TOKEN_FILE', '/var/run/secrets/tokens/weft-identity-token'),
  };
}

/** `<sa>.<ns>.serviceaccount.identity.<control-plane-ns>.<trust-domain>` */
export const identityName = (cfg: Pick<ControlPlaneConfig, 'namespace' | 'trustDomain'>, sa: string, ns: string) =>
  `${sa}.${ns}.serviceaccount.identity.${cfg.namespace}.${cfg.trustDomain}`;

/** `ns/name=10.0.128.1,...`; WEFT_CP_INVALID_CONFIG naming the entry that is not that. */
export function parseServiceIPs(text: string): Map<string, string> {
  const ips = new Map<string, string>();
  for (const entry of text.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const m = /^([a-z0-9-]+\/[a-z0-9-]+)=(.+)$/.exec(entry);
    const ip = m && canonicalIp(m[2] as string);
    if (!m || !ip) {
      throw cpError(ErrorCode.InvalidConfig, `WEFT_CP_LOCAL_SERVICE_IPS: expected ns/name=IP, got "${entry}"`);
    }
    ips.set(m[1] as string, ip);
  }
  return ips;
}
