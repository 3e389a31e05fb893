// The resource kinds the control plane reads, as typed, validated values. Both
// backends (the Kubernetes API and the local folder) produce exactly these, so
// everything downstream of the store is backend-agnostic.

export interface Meta {
  name: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
}

export interface ServicePort {
  name: string;
  port: number;
  /** A number, or the name of a container port. */
  targetPort: number | string;
  appProtocol?: string;
}

export interface Service {
  kind: 'Service';
  meta: Meta;
  /** spec.clusterIP and spec.clusterIPs (one per IP family), canonical; empty for a headless Service. */
  clusterIPs: string[];
  ports: ServicePort[];
}

export interface SlicePort {
  name: string;
  port: number;
  appProtocol?: string;
}

export interface SliceEndpoint {
  addresses: string[];
  ready: boolean;
  /** The backing pod (targetRef), when it is one. */
  pod?: string;
}

/** Kubernetes EndpointSlice; locally, one per registered workload. */
export interface EndpointSlice {
  kind: 'EndpointSlice';
  meta: Meta;
  /** kubernetes.io/service-name */
  service: string;
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

export interface Pod {
  kind: 'Pod';
  meta: Meta;
  /** status.podIP while the pod holds it (not once it has Succeeded or Failed). */
  ip?: string;
  serviceAccount: string;
  /** The workload that owns it, e.g. {kind: 'deployment', name: 'web'}. */
  owner?: { kind: string; name: string };
  containerPorts: { name: string; port: number }[];
  /** HTTP liveness and readiness probes: the kubelet must reach them whatever the policy. */
  httpProbes: { port: number; path: string }[];
  /** The sidecar's inbound port when the pod is meshed. */
  proxyInboundPort?: number;
}

export type ProtocolName = 'unknown' | 'HTTP/1' | 'HTTP/2' | 'gRPC' | 'opaque' | 'TLS';

export interface PolicyServer {
  kind: 'Server';
  meta: Meta;
  podSelector: LabelSelector;
  /** A number or a named container port. */
  port: number | string;
  proxyProtocol: ProtocolName;
  accessPolicy: string;
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values: string[] }[];
}

export interface TargetRef {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface AuthorizationPolicy {
  kind: 'AuthorizationPolicy';
  meta: Meta;
  targetRef: TargetRef;
  requiredAuthenticationRefs: TargetRef[];
}

/** Requests per second for the Server's port, per client identity, and for named clients. */
export interface HTTPLocalRateLimitPolicy {
  kind: 'HTTPLocalRateLimitPolicy';
  meta: Meta;
  targetRef: TargetRef;
  totalRps?: number;
  identityRps?: number;
  overrides: { rps: number; clientRefs: TargetRef[] }[];
}

export interface MeshTLSAuthentication {
  kind: 'MeshTLSAuthentication';
  meta: Meta;
  identities: string[];
  identityRefs: TargetRef[];
}

export interface NetworkAuthentication {
  kind: 'NetworkAuthentication';
  meta: Meta;
  networks: { cidr: string; except: string[] }[];
}

/** ServiceProfile route condition, as written in YAML. */
export interface RequestCondition {
  method?: string;
  pathRegex?: string;
  all?: RequestCondition[];
  any?: RequestCondition[];
  not?: RequestCondition;
}

export interface ResponseCondition {
  status?: { min?: number; max?: number };
  all?: ResponseCondition[];
  any?: ResponseCondition[];
  not?: ResponseCondition;
}

export interface ProfileRoute {
  name: string;
  condition: RequestCondition;
  responseClasses: { condition: ResponseCondition; isFailure: boolean }[];
  isRetryable: boolean;
  timeoutMs?: number;
}

export interface ServiceProfile {
  kind: 'ServiceProfile';
  meta: Meta;
  routes: ProfileRoute[];
  retryBudget?: { retryRatio: number; minRetriesPerSecond: number; ttlMs: number };
  /** Weights in decimillis: 10000 is one whole share. */
  dstOverrides: { authority: string; weight: number }[];
  opaquePorts: number[];
}

export interface RouteParentRef {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
  port?: number;
}

export interface RouteMatch {
  path?: { type: 'Exact' | 'PathPrefix' | 'RegularExpression'; value: string };
  method?: string;
  /** GRPCRoute: service and method names. */
  grpc?: { service?: string; method?: string };
  /** HTTPRoute and GRPCRoute; every one must hold. */
  headers?: ValueMatch[];
  /** HTTPRoute only. */
  queryParams?: ValueMatch[];
}

/** A header or query parameter match: Exact or RegularExpression on its value. */
export interface ValueMatch {
  type: 'Exact' | 'RegularExpression';
  name: string;
  value: string;
}

export interface RouteBackendRef {
  name: string;
  namespace?: string;
  port?: number;
  weight: number;
}

export interface RouteRule {
  name?: string;
  matches: RouteMatch[];
  backendRefs: RouteBackendRef[];
  timeoutMs?: number;
}

/** Gateway API HTTPRoute or GRPCRoute. */
export interface Route {
  kind: 'HTTPRoute' | 'GRPCRoute';
  meta: Meta;
  parentRefs: RouteParentRef[];
  /** Host names the route applies to; empty means any. */
  hostnames: string[];
  rules: RouteRule[];
}

export type Resource =
  | Service
  | EndpointSlice
  | Pod
  | PolicyServer
  | AuthorizationPolicy
  | HTTPLocalRateLimitPolicy
  | MeshTLSAuthentication
  | NetworkAuthentication
  | ServiceProfile
  | Route;

export type ResourceKind = Resource['kind'];

export const RESOURCE_KINDS: readonly ResourceKind[] = [
  'Service',
  'EndpointSlice',
  'Pod',
  'Server',
  'AuthorizationPolicy',
  'HTTPLocalRateLimitPolicy',
  'MeshTLSAuthentication',
  'NetworkAuthentication',
  'ServiceProfile',
  'HTTPRoute',
  'GRPCRoute',
];

export const keyOf = (meta: Pick<Meta, 'namespace' | 'name'>) => `${meta.namespace}/${meta.name}`;
