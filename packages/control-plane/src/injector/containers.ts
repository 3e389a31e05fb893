import type { V1Container, V1EnvVar, V1Volume } from '@kubernetes/client-node';
import type { ProxySettings } from './annotations.ts';
import type { InjectorConfig } from './config.ts';
import type { PortRange } from './ports.ts';
import { formatPortList } from './ports.ts';

export const PROXY_CONTAINER = 'weft-proxy';
export const INIT_CONTAINER = 'weft-init';
export const IDENTITY_AUDIENCE = 'identity.weft.dev';

export const VOLUMES = {
  endEntity: 'weft-identity-end-entity',
  token: 'weft-identity-token',
  xtablesLock: 'weft-xtables-lock',
} as const;

const END_ENTITY_DIR = '/var/run/weft/identity/end-entity';
const TOKEN_DIR = '/var/run/secrets/tokens';
const TOKEN_FILE = `${TOKEN_DIR}/weft-identity-token`;

/** What the proxy container needs to know about the pod it joins. */
export interface ProxyTarget {
  /** The pod's mTLS identity: <sa>.<ns>.serviceaccount.identity.<cp-ns>.<trust-domain>. */
  readonly identity: string;
  /**
   * The pod's own container ports, minus skipped ones: the inbound ports the
   * proxy watches policy for. The first is where it delivers inbound traffic.
   */
  readonly inboundPorts: readonly number[];
  /** Ports served as opaque TCP (no protocol detection). */
  readonly opaquePorts: readonly PortRange[];
  /** `weft.dev/inject: ingress`: route by Host header instead of the original destination. */
  readonly ingress: boolean;
}

export function identityName(serviceAccount: string, namespace: string, config: InjectorConfig): string {
  return `${serviceAccount}.${namespace}.serviceaccount.identity.${config.controlPlaneNamespace}.${config.trustDomain}`;
}

/** The control-plane service a proxy dials, and the identity it must present. */
function controlPlaneService(service: string, sa: string, port: number, config: InjectorConfig) {
  const ns = config.controlPlaneNamespace;
  return {
    addr: `${service}.${ns}.svc.${config.clusterDomain}.:${port}`,
    name: identityName(sa, ns, config),
  };
}

function proxyEnv(s: ProxySettings, t: ProxyTarget, config: InjectorConfig): V1EnvVar[] {
  const p = config.ports;
  const dst = controlPlaneService('weft-dst-headless', 'weft-destination', 8086, config);
  const policy = controlPlaneService('weft-policy', 'weft-destination', 8090, config);
  const identity = controlPlaneService('weft-identity-headless', 'weft-identity', 8080, config);
  const field = (name: string, fieldPath: string): V1EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });
  const env: V1EnvVar[] = [
    // Downward-API values first: later entries expand them with $(...).
    field('_pod_name', 'metadata.name'),
    field('_pod_ns', 'metadata.namespace'),
    field('_pod_nodeName', 'spec.nodeName'),
    { name: 'WEFT_PROXY_LOG_LEVEL', value: s.logLevel },
    { name: 'WEFT_PROXY_LOG_FORMAT', value: s.logFormat },
    { name: 'WEFT_PROXY_DESTINATION_ADDR', value: dst.addr },
    { name: 'WEFT_PROXY_DESTINATION_SCHEME', value: 'k8s' },
    { name: 'WEFT_PROXY_DESTINATION_SVC_NAME', value: dst.name },
    { name: 'WEFT_PROXY_DESTINATION_PROFILE_SUFFIXES', value: `svc.${config.clusterDomain}.` },
    { name: 'WEFT_PROXY_DESTINATION_PROFILE_NETWORKS', value: config.clusterNetworks },
    {
      name: 'WEFT_PROXY_DESTINATION_CONTEXT',
      value: '{"ns":"$(_pod_ns)","nodeName":"$(_pod_nodeName)","pod":"$(_pod_name)"}',
    },
    { name: 'WEFT_PROXY_POLICY_SVC_ADDR', value: policy.addr },
    { name: 'WEFT_PROXY_POLICY_SVC_NAME', value: policy.name },
    { name: 'WEFT_PROXY_POLICY_WORKLOAD', value: '{"ns":"$(_pod_ns)","pod":"$(_pod_name)"}' },
    { name: 'WEFT_PROXY_POLICY_CLUSTER_NETWORKS', value: config.clusterNetworks },
    { name: 'WEFT_PROXY_INBOUND_DEFAULT_POLICY', value: s.defaultInboundPolicy },
    { name: 'WEFT_PROXY_INBOUND_PORTS', value: t.inboundPorts.join(',') },
    { name: 'WEFT_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION', value: formatPortList(t.opaquePorts) },
    { name: 'WEFT_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY', value: formatPortList(s.requireIdentityInboundPorts) },
    { name: 'WEFT_PROXY_INBOUND_LISTEN_ADDR', value: `0.0.0.0:${p.inbound}` },
    ...(t.inboundPorts[0] === undefined
      ? []
      : [{ name: 'WEFT_PROXY_INBOUND_FORWARD_ADDR', value: `127.0.0.1:${t.inboundPorts[0]}` }]),
    { name: 'WEFT_PROXY_OUTBOUND_LISTEN_ADDR', value: `127.0.0.1:${p.outbound}` },
    { name: 'WEFT_PROXY_ADMIN_LISTEN_ADDR', value: `0.0.0.0:${p.admin}` },
    { name: 'WEFT_PROXY_TAP_LISTEN_ADDR', value: `0.0.0.0:${p.tap}` },
    { name: 'WEFT_PROXY_INBOUND_CONNECT_TIMEOUT', value: '100ms' },
    { name: 'WEFT_PROXY_OUTBOUND_CONNECT_TIMEOUT', value: '1000ms' },
    { name: 'WEFT_PROXY_IDENTITY_DIR', value: END_ENTITY_DIR },
    { name: 'WEFT_PROXY_IDENTITY_TRUST_ANCHORS', value: config.trustAnchorsPem },
    { name: 'WEFT_PROXY_IDENTITY_TOKEN_FILE', value: TOKEN_FILE },
    { name: 'WEFT_PROXY_IDENTITY_SVC_ADDR', value: identity.addr },
    { name: 'WEFT_PROXY_IDENTITY_SVC_NAME', value: identity.name },
    { name: 'WEFT_PROXY_IDENTITY_LOCAL_NAME', value: t.identity },
    // Names the pod on the proxy's spans, for the collector they reach.
    { name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'k8s.namespace.name=$(_pod_ns),k8s.pod.name=$(_pod_name)' },
  ];
  if (t.ingress) env.push({ name: 'WEFT_PROXY_INGRESS_MODE', value: 'true' });
  return env;
}

function resources(s: ProxySettings): V1Container['resources'] {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (s.resources.cpuRequest) requests.cpu = s.resources.cpuRequest;
  if (s.resources.memoryRequest) requests.memory = s.resources.memoryRequest;
  if (s.resources.cpuLimit) limits.cpu = s.resources.cpuLimit;
  if (s.resources.memoryLimit) limits.memory = s.resources.memoryLimit;
  return {
    ...(Object.keys(requests).length ? { requests } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
  };
}

export function proxyContainer(s: ProxySettings, t: ProxyTarget, config: InjectorConfig): V1Container {
  const admin = config.ports.admin;
  const probe = (path: string, initialDelaySeconds: number) => ({
    httpGet: { path, port: admin },
    initialDelaySeconds,
    timeoutSeconds: 1,
  });
  return {
    name: PROXY_CONTAINER,
    image: s.image,
    imagePullPolicy: s.imagePullPolicy,
    command: ['weft-proxy'],
    env: proxyEnv(s, t, config),
    ports: [
      { name: 'weft-proxy', containerPort: config.ports.inbound },
      { name: 'weft-admin', containerPort: admin },
    ],
    livenessProbe: probe('/live', 10),
    readinessProbe: probe('/ready', 2),
    // As a native sidecar the app starts only once the proxy reports ready.
    ...(s.nativeSidecar
      ? {
          restartPolicy: 'Always',
          startupProbe: { httpGet: { path: '/ready', port: admin }, periodSeconds: 1, failureThreshold: 120 },
        }
      : {}),
    resources: resources(s),
    securityContext: {
      runAsUser: s.proxyUid,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: [
      { name: VOLUMES.endEntity, mountPath: END_ENTITY_DIR },
      { name: VOLUMES.token, mountPath: TOKEN_DIR, readOnly: true },
    ],
  };
}

/**
 * proxy-init's command line, flag for flag as Linkerd's chart renders it, so
 * the rules it installs can be read off the pod spec.
 */
export function initArgs(s: ProxySettings, config: InjectorConfig): string[] {
  const p = config.ports;
  const args = [
    '--incoming-proxy-port',
    String(p.inbound),
    '--outgoing-proxy-port',
    String(p.outbound),
    '--proxy-uid',
    String(s.proxyUid),
    // The tap and admin ports are the proxy's own: never redirect them back into it.
    '--inbound-ports-to-ignore',
    formatPortList([{ from: p.tap, to: p.tap }, { from: p.admin, to: p.admin }, ...s.skipInboundPorts]),
  ];
  if (s.skipOutboundPorts.length > 0) args.push('--outbound-ports-to-ignore', formatPortList(s.skipOutboundPorts));
  args.push('--firewall-bin-path', 'iptables-nft', '--firewall-save-bin-path', 'iptables-nft-save');
  return args;
}

export function initContainer(s: ProxySettings, config: InjectorConfig): V1Container {
  return {
    name: INIT_CONTAINER,
    image: s.image,
    imagePullPolicy: s.imagePullPolicy,
    command: ['weft-proxy-init'],
    args: initArgs(s, config),
    resources: { requests: { cpu: '10m', memory: '10Mi' }, limits: { memory: '50Mi' } },
    securityContext: {
      // iptables needs root in the pod's network namespace; the capabilities stay narrow.
      runAsUser: 0,
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: [{ name: VOLUMES.xtablesLock, mountPath: '/run' }],
  };
}

export function meshVolumes(): V1Volume[] {
  return [
    { name: VOLUMES.endEntity, emptyDir: { medium: 'Memory' } },
    {
      name: VOLUMES.token,
      projected: {
        sources: [
          {
            serviceAccountToken: { audience: IDENTITY_AUDIENCE, expirationSeconds: 86400, path: 'weft-identity-token' },
          },
        ],
      },
    },
    { name: VOLUMES.xtablesLock, emptyDir: {} },
  ];
}
