import { PACKAGES } from './mesh-services.ts';
import type { MeshContext } from './meshed-emojivoto.ts';
import type { ProcessSpec } from './process-spec.ts';

// One workload's sidecar, configured with the WEFT_PROXY_* variables the
// injector sets on a Kubernetes pod (docs/injector.md). Differences, because
// there are no iptables and no cluster DNS: every listener is on loopback,
// the app is reached on its private port, and each upstream the app calls
// gets a local port of its own (ADR 0004).

export interface SidecarPorts {
  readonly inbound: number;
  readonly admin: number;
  readonly tap: number;
}

export interface SidecarOptions {
  readonly name: string;
  readonly namespace: string;
  readonly pod: string;
  readonly deployment: string;
  readonly identity: string;
  readonly tokenFile: string;
  readonly ports: SidecarPorts;
  /** The app's private port, where inbound traffic is delivered. */
  readonly appPort: number;
  readonly upstreams: readonly { readonly authority: string; readonly port: number }[];
  readonly ctx: MeshContext;
}

const LOOPBACK = '127.0.0.1';

// Long enough for an in-flight request to finish, short enough for Ctrl-C.
export const SIDECAR_GRACE_SECONDS = 5;

export function sidecarSpec(o: SidecarOptions): ProcessSpec {
  return {
    name: o.name,
    command: process.execPath,
    // As the image runs it (deploy/docker/bin/weft-component, ADR 0006).
    args: ['--max-semi-space-size=8', `${PACKAGES}proxy/src/main.ts`],
    env: {
      ...o.ctx.base,
      WEFT_PROXY_LOG_LEVEL: o.ctx.proxyLogLevel,
      WEFT_PROXY_DESTINATION_ADDR: o.ctx.controlPlaneAddr,
      // Destination and policy over mTLS, to the control plane's own identity.
      WEFT_PROXY_DESTINATION_SVC_NAME: o.ctx.controlPlaneIdentity,
      WEFT_PROXY_DESTINATION_CONTEXT: JSON.stringify({ ns: o.namespace, pod: o.pod }),
      // Inbound policy: the pod is registered with its sidecar's inbound port as its container port.
      WEFT_PROXY_POLICY_WORKLOAD: JSON.stringify({ ns: o.namespace, pod: o.pod }),
      WEFT_PROXY_POLICY_PORT: String(o.ports.inbound),
      WEFT_PROXY_INBOUND_LISTEN_ADDR: `${LOOPBACK}:${o.ports.inbound}`,
      WEFT_PROXY_INBOUND_FORWARD_ADDR: `${LOOPBACK}:${o.appPort}`,
      // The transparent listener is unused locally (apps name their upstreams' ports); any free port.
      WEFT_PROXY_OUTBOUND_LISTEN_ADDR: `${LOOPBACK}:0`,
      WEFT_PROXY_OUTBOUND_UPSTREAMS: o.upstreams.map((u) => `${u.authority}=${LOOPBACK}:${u.port}`).join(','),
      WEFT_PROXY_ADMIN_LISTEN_ADDR: `${LOOPBACK}:${o.ports.admin}`,
      WEFT_PROXY_IDENTITY_LOCAL_NAME: o.identity,
      WEFT_PROXY_IDENTITY_TRUST_ANCHORS: o.ctx.trustAnchorsPem,
      WEFT_PROXY_IDENTITY_SVC_ADDR: o.ctx.identityAddr,
      WEFT_PROXY_IDENTITY_SVC_NAME: o.ctx.identityServiceName,
      WEFT_PROXY_IDENTITY_TOKEN_FILE: o.tokenFile,
      WEFT_PROXY_SHUTDOWN_GRACE_PERIOD: `${SIDECAR_GRACE_SECONDS}s`,
      // A peer that weft dev restarts has no endpoints until it is ready again
      // (a few seconds on a busy machine): requests for it wait that long.
      WEFT_PROXY_FAILFAST_TIMEOUT: '10s',
      // Tap over mTLS, answering only the certificate weft dev gives the CLI.
      WEFT_PROXY_TAP_LISTEN_ADDR: `${LOOPBACK}:${o.ports.tap}`,
      WEFT_PROXY_TAP_AUTHORIZED_IDENTITY: o.ctx.tapClientIdentity,
      // The sidecars' spans join the apps' traces in the viz server.
      WEFT_PROXY_TRACE_COLLECTOR_ADDR: o.ctx.proxyTraceCollector,
      WEFT_PROXY_TRACE_SERVICE_NAME: o.name,
      // Which pod's proxy made a span, for a collector the viz server forwards to (Jaeger).
      OTEL_RESOURCE_ATTRIBUTES: `k8s.namespace.name=${o.namespace},k8s.pod.name=${o.pod},k8s.deployment.name=${o.deployment}`,
    },
    // /ready answers 200 once the sidecar holds its certificate.
    ready: { kind: 'http', url: `http://${LOOPBACK}:${o.ports.admin}/ready` },
  };
}
