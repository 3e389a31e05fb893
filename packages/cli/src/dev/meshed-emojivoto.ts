import { nodeSpec, passThrough } from './emojivoto.ts';
import type { ProcessSpec } from './process-spec.ts';
import type { WorkloadRegistration } from './registration.ts';
import { type SidecarPorts, sidecarSpec } from './sidecar.ts';

// emojivoto as meshed workloads: each app on a private loopback port behind
// its own sidecar. Apps reach their upstreams only through local ports of
// their sidecar (WEFT_PROXY_OUTBOUND_UPSTREAMS), set in the same variables the
// Kubernetes manifests use for service names; the app code is unchanged.

export const NAMESPACE = 'emojivoto';
const LOOPBACK = '127.0.0.1';

/** One emojivoto Deployment as the runner starts it. */
export interface WorkloadTemplate {
  readonly deployment: string;
  readonly serviceAccount: string;
  /** The Service it backs (deploy/local/resources), empty for vote-bot. */
  readonly service: string;
  /** Pod labels, as in deploy/emojivoto/emojivoto.yaml. */
  readonly labels: Readonly<Record<string, string>>;
  /** Upstream services the app calls, by the variable that names them. */
  readonly upstreams: Readonly<Record<string, string>>;
  /** Variables of its own, over the shell's. */
  readonly env?: Readonly<Record<string, string>>;
}

const fqdn = (service: string, port: number) => `${service}.${NAMESPACE}.svc.cluster.local:${port}`;

// Start order: each group waits for the previous one, because web's
// readiness check calls emoji through the mesh and the bot calls web.
export const WORKLOADS: readonly WorkloadTemplate[] = [
  {
    deployment: 'emoji',
    serviceAccount: 'emoji',
    service: 'emoji-svc',
    labels: { app: 'emoji-svc', version: 'v11' },
    upstreams: {},
  },
  {
    deployment: 'voting',
    serviceAccount: 'voting',
    service: 'voting-svc',
    labels: { app: 'voting-svc', version: 'v11' },
    upstreams: {},
  },
  {
    deployment: 'web',
    serviceAccount: 'web',
    service: 'web-svc',
    labels: { app: 'web-svc', version: 'v11' },
    upstreams: { EMOJISVC_HOST: fqdn('emoji-svc', 8080), VOTINGSVC_HOST: fqdn('voting-svc', 8080) },
  },
  {
    // Only with `weft dev --canary`: web's v2 for the workshop's canary, as deploy/local/examples/web-v2.k8s.yaml.
    deployment: 'web-v2',
    serviceAccount: 'web',
    service: 'web-svc-v2',
    labels: { app: 'web-svc-v2', version: 'v2' },
    upstreams: { EMOJISVC_HOST: fqdn('emoji-svc', 8080), VOTINGSVC_HOST: fqdn('voting-svc', 8080) },
    env: { MESSAGE_OF_THE_DAY: 'v2' },
  },
  {
    deployment: 'vote-bot',
    serviceAccount: 'default',
    service: '',
    labels: { app: 'vote-bot', version: 'v11' },
    upstreams: { WEB_HOST: fqdn('web-svc', 80) },
  },
];

// emoji and voting together, then web (its readiness calls emoji), then the bot.
export const START_GROUPS = [['emoji', 'voting'], ['web', 'web-v2'], ['vote-bot']];

/** Ports of one workload: its app's, its sidecar's, and one local port per upstream. */
export interface WorkloadPorts {
  readonly app: number;
  /** emoji and voting serve their own Prometheus metrics too. */
  readonly prom: number;
  readonly sidecar: SidecarPorts;
  /** Local upstream port by the app variable that names it. */
  readonly upstreams: Readonly<Record<string, number>>;
}

export interface MeshedWorkload {
  readonly deployment: string;
  readonly pod: string;
  readonly serviceAccount: string;
  readonly service: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly identity: string;
  readonly ports: WorkloadPorts;
  readonly sidecar: ProcessSpec;
  readonly app: ProcessSpec;
  readonly registration: WorkloadRegistration;
}

/** Everything a sidecar needs from the rest of the local mesh. */
export interface MeshContext {
  readonly controlPlaneAddr: string;
  /** The identity the control plane's certificate names; sidecars check it. */
  readonly controlPlaneIdentity: string;
  readonly identityAddr: string;
  readonly identityServiceName: string;
  readonly trustAnchorsPem: string;
  readonly otlpEndpoint: string;
  /** The identity allowed to tap the sidecars (`weft tap`'s certificate). */
  readonly tapClientIdentity: string;
  /** host:port taking OTLP/HTTP, for the sidecars' own spans (the viz API). */
  readonly proxyTraceCollector: string;
  readonly proxyLogLevel: string;
  /** Environment every child gets (PATH, HOME, the compile cache). */
  readonly base: Readonly<Record<string, string>>;
}

function appSpec(
  t: WorkloadTemplate,
  ports: WorkloadPorts,
  ctx: MeshContext,
  shell: Readonly<Record<string, string | undefined>>,
): ProcessSpec {
  const env: Record<string, string> = {
    ...passThrough(t.deployment === 'web-v2' ? 'web' : t.deployment, shell),
    ...ctx.base,
    ...t.env,
    // The viz server's receiver, or the user's collector through it.
    OTEL_EXPORTER_OTLP_ENDPOINT: ctx.otlpEndpoint,
  };
  for (const [variable, port] of Object.entries(ports.upstreams)) env[variable] = `${LOOPBACK}:${port}`;
  switch (t.deployment) {
    case 'emoji':
    case 'voting':
      return nodeSpec(
        t.deployment,
        `${t.deployment}/main.ts`,
        { ...env, GRPC_PORT: String(ports.app), PROM_PORT: String(ports.prom) },
        { kind: 'tcp', host: LOOPBACK, port: ports.app },
      );
    case 'web':
    case 'web-v2':
      // /api/list answers 200 only once web reaches emoji-svc through its sidecar.
      return nodeSpec(
        t.deployment,
        'web/main.ts',
        { ...env, WEB_PORT: String(ports.app) },
        {
          kind: 'http',
          url: `http://${LOOPBACK}:${ports.app}/api/list`,
        },
      );
    default:
      return nodeSpec(t.deployment, `${t.deployment}/main.ts`, env, { kind: 'log', pattern: /voting on/ });
  }
}

/** The meshed workloads to run, in start order; `allocate` hands out free ports. */
export async function meshedEmojivoto(
  ctx: MeshContext,
  shell: Readonly<Record<string, string | undefined>>,
  options: {
    readonly withBot: boolean;
    readonly withCanary: boolean;
    readonly webInboundPort: number;
    readonly allocate: (count: number) => Promise<number[]>;
    readonly tokenFor: (serviceAccount: string, namespace: string) => Promise<{ file: string; identity: string }>;
  },
): Promise<MeshedWorkload[]> {
  const templates = WORKLOADS.filter(
    (t) => (options.withBot || t.deployment !== 'vote-bot') && (options.withCanary || t.deployment !== 'web-v2'),
  );
  const workloads: MeshedWorkload[] = [];
  for (const t of templates) {
    const upstreamVariables = Object.keys(t.upstreams);
    const [app, prom, inbound, admin, tap, ...upstreamPorts] = await options.allocate(5 + upstreamVariables.length);
    const ports: WorkloadPorts = {
      app: app as number,
      prom: prom as number,
      sidecar: {
        // The browser opens web's sidecar, so the URL's port is the one the user asked for.
        inbound: t.deployment === 'web' ? options.webInboundPort : (inbound as number),
        admin: admin as number,
        tap: tap as number,
      },
      upstreams: Object.fromEntries(upstreamVariables.map((v, i) => [v, upstreamPorts[i] as number])),
    };
    const pod = `${t.deployment}-0`;
    const token = await options.tokenFor(t.serviceAccount, NAMESPACE);
    const upstreams = upstreamVariables.map((v) => ({
      authority: t.upstreams[v] as string,
      port: ports.upstreams[v] as number,
    }));
    workloads.push({
      deployment: t.deployment,
      pod,
      serviceAccount: t.serviceAccount,
      service: t.service,
      labels: t.labels,
      identity: token.identity,
      ports,
      sidecar: sidecarSpec({
        name: `${t.deployment}-proxy`,
        namespace: NAMESPACE,
        pod,
        deployment: t.deployment,
        identity: token.identity,
        tokenFile: token.file,
        ports: ports.sidecar,
        appPort: ports.app,
        upstreams,
        ctx,
      }),
      app: appSpec(t, ports, ctx, shell),
      registration: {
        namespace: NAMESPACE,
        service: t.service,
        pod,
        deployment: t.deployment,
        serviceAccount: t.serviceAccount,
        // The sidecar's inbound port serves every port of the Service.
        address: { ip: LOOPBACK, port: ports.sidecar.inbound },
        inboundPort: ports.sidecar.inbound,
        labels: t.labels,
      },
    });
  }
  return workloads;
}
