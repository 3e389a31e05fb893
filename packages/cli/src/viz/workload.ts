/**
 * One meshed pod as the viz server knows it: who it is (the Kubernetes names
 * Linkerd's relabelling would attach) and where its sidecar answers.
 */
export interface Workload {
  readonly namespace: string;
  readonly deployment: string;
  readonly pod: string;
  /** The services whose endpoints include this pod. */
  readonly services: readonly string[];
  readonly serviceAccount: string;
  /** The proxy's mTLS identity name. */
  readonly identity: string;
  /** host:port of the proxy's admin server (/metrics, /ready). */
  readonly adminAddr: string;
  /** host:port of the proxy's inbound listener. */
  readonly inboundAddr: string;
  /**
   * host:port of the proxy's tap listener (WEFT_PROXY_TAP_LISTEN_ADDR), when
   * the proxy has tap enabled; `weft tap` and `weft top` connect there.
   */
  readonly tapAddr?: string;
}

/**
 * Where the rest of the local mesh answers, so `weft check` and
 * `weft diagnostics` can find it from another terminal. Every field is
 * optional: a check whose input is missing says so instead of guessing.
 */
export interface MeshInfo {
  /** host:port of the destination gRPC API. */
  readonly destinationAddr?: string;
  /** The identity the control plane's certificate names (destination and policy are served over mTLS). */
  readonly controlPlaneIdentity?: string;
  /** host:port of the policy gRPC API. */
  readonly policyAddr?: string;
  /** host:port of the identity (Certify) gRPC API. */
  readonly identityAddr?: string;
  /** host:port of the control plane's admin HTTP server (/ready, /metrics). */
  readonly controlPlaneAdminAddr?: string;
  /** PEM file of the trust anchors. */
  readonly trustAnchorsFile?: string;
  /** PEM file of the issuer certificate. */
  readonly issuerCertFile?: string;
  /** Folder of resource YAML the local control plane reads. */
  readonly resourcesDir?: string;
}

/** One process `weft dev` supervises, as `weft check` lists it (like a pod's container in kubectl). */
export interface LocalProcess {
  readonly name: string;
  /** Its pid now; absent while it waits to be started again. */
  readonly pid?: number;
  /** Its readiness check passes. */
  readonly ready: boolean;
  /** How many times it was started again after it exited: kubectl's RESTARTS. */
  readonly restarts: number;
  /** How its last run ended ("killed by SIGKILL", "exit code 1"), once one has. */
  readonly lastExit?: string;
}

/** The labels a Prometheus relabel config would attach to a proxy target. */
export function targetLabels(w: Workload): Record<string, string> {
  return {
    namespace: w.namespace,
    deployment: w.deployment,
    pod: w.pod,
    job: 'weft-proxy',
    instance: w.adminAddr,
  };
}

export function workloadKey(namespace: string, pod: string): string {
  return `${namespace}/${pod}`;
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+):(\d{1,5})$/;

/** Throws a message naming the bad field; registering is a programming interface, so this catches wiring mistakes early. */
export function checkWorkload(w: Workload): void {
  for (const field of ['namespace', 'deployment', 'pod'] as const) {
    if (!w[field]) throw new Error(`workload ${field} is empty`);
  }
  for (const field of ['adminAddr', 'inboundAddr'] as const) {
    const m = HOST_PORT.exec(w[field]);
    if (!m || Number(m[2]) > 65535) throw new Error(`workload ${field} "${w[field]}" is not host:port`);
  }
  if (w.tapAddr !== undefined) {
    const m = HOST_PORT.exec(w.tapAddr);
    if (!m || Number(m[2]) > 65535) throw new Error(`workload tapAddr "${w.tapAddr}" is not host:port`);
  }
}

/** Which deployment each proxy identity belongs to, for naming the peers of edges and top rows. */
export function identitiesOf(
  workloads: readonly Workload[],
): Map<string, { readonly namespace: string; readonly deployment: string }> {
  return new Map(workloads.map((w) => [w.identity, { namespace: w.namespace, deployment: w.deployment }]));
}
