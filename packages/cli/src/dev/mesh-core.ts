import { join } from 'node:path';
import { identityServiceName } from '@weft/identity';
import { meshChannel } from '../viz/control-plane-channel.ts';
import { startViz, type VizServer } from '../viz/server.ts';
import type { Workload as VizWorkload } from '../viz/workload.ts';
import { freePorts } from './free-port.ts';
import {
  CLI_IDENTITY,
  CONTROL_PLANE_IDENTITY,
  createLocalIdentity,
  LOCAL_DOMAIN,
  type LocalIdentity,
} from './local-identity.ts';
import { baseEnv, controlPlaneSpec, identitySpec, type PodsAddresses } from './mesh-services.ts';
import type { MeshContext } from './meshed-emojivoto.ts';
import { Registrations } from './registration.ts';
import type { Supervisor } from './supervisor.ts';
import { type FollowedWorkload, registerWithControlPlane, WorkloadReadiness } from './workload-readiness.ts';

// What both runtimes of `weft dev` start around the workloads: a fresh CA,
// the identity service and the control plane, the viz server (in this
// process), the CLI's certificate, and the registrations that tell the
// control plane where each workload runs. Loopback mode puts them on
// 127.0.0.1; pods mode on the bridge's gateway, the host as the pods see it.

export interface MeshCoreOptions {
  /** Where .weft/ goes: the state file the CLI finds, the CA, the compile cache. */
  readonly stateDir: string;
  readonly resourcesDir: string;
  /** Pods mode: identity, the control plane and the viz server listen on the gateway, not loopback. */
  readonly pods?: PodsAddresses;
  /** A port promised elsewhere (web's), never handed out. */
  readonly reservedPort?: number;
  readonly proxyLogLevel: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly write: (text: string) => void;
}

export interface MeshCore {
  readonly identity: LocalIdentity;
  readonly viz: VizServer;
  /** What every sidecar needs from the mesh. */
  readonly ctx: MeshContext;
  /** Free ports on the host, never the reserved one. */
  allocate(count: number): Promise<number[]>;
  /**
   * Starts the apps group by group (each group once the previous is ready),
   * registering each workload with the control plane and, when it has a
   * sidecar, with the viz server; then follows their readiness.
   */
  startApps(groups: readonly (readonly (FollowedWorkload & { readonly viz?: VizWorkload })[])[]): Promise<void>;
  /** Closes every registration and forgets the workloads: first when stopping, so nothing is registered again. */
  forgetWorkloads(): void;
  /** Closes the viz server and the CA's timers; the processes are the supervisor's. */
  close(): Promise<void>;
}

/** host:port of the user's own collector (Jaeger), from OTEL_EXPORTER_OTLP_ENDPOINT. */
function collectorAddr(endpoint: string | undefined): string | undefined {
  if (!endpoint) return undefined;
  return endpoint.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** Traffic sources and sidecars first: a sidecar's SIGTERM lets in-flight requests finish while its app still answers. */
export async function stopWorkloads(
  supervisor: Supervisor,
  workloads: readonly {
    readonly deployment: string;
    readonly app: { name: string };
    readonly sidecar?: { name: string };
  }[],
): Promise<void> {
  const sources = workloads.filter((w) => w.deployment === 'vote-bot').map((w) => w.app.name);
  await supervisor.stop([...sources, ...workloads.flatMap((w) => (w.sidecar ? [w.sidecar.name] : []))]);
  await supervisor.stop();
}

export async function startMeshCore(supervisor: Supervisor, o: MeshCoreOptions): Promise<MeshCore> {
  const dir = join(o.stateDir, '.weft', 'dev');
  const caStarted = performance.now();
  const identity = await createLocalIdentity(join(dir, 'ca'));
  let viz: VizServer | undefined;
  let registrations: Registrations | undefined;
  const followed: VizWorkload[] = [];
  const forgetWorkloads = () => {
    registrations?.close();
    for (const w of followed.splice(0)) viz?.unregister(w.namespace, w.pod);
  };
  const close = async () => {
    forgetWorkloads();
    await viz?.close();
    identity.close();
  };
  try {
    o.write(`[dev] √ trust anchor and issuer created in ${dir} (${seconds(performance.now() - caStarted)})\n`);
    const allocate = async (count: number) =>
      (await freePorts(count + 1)).filter((port) => port !== o.reservedPort).slice(0, count);
    const [identityGrpc, identityAdmin, controlPlaneGrpc, controlPlaneAdmin] = await allocate(4);
    const host = o.pods?.gateway ?? '127.0.0.1';
    const ports = {
      host,
      identityGrpc: identityGrpc as number,
      identityAdmin: identityAdmin as number,
      controlPlaneGrpc: controlPlaneGrpc as number,
      controlPlaneAdmin: controlPlaneAdmin as number,
    };
    const base = baseEnv(o.env, join(dir, 'compile-cache'));
    const controlPlane = await controlPlaneSpec(ports, o.resourcesDir, identity, base, o.pods);
    await supervisor.startTogether([identitySpec(ports, identity, base), controlPlane]);

    const vizStarted = performance.now();
    const controlPlaneAddr = `${host}:${ports.controlPlaneGrpc}`;
    const identityAddr = `${host}:${ports.identityGrpc}`;
    viz = await startViz({
      listen: `${host}:0`,
      otlpGrpcListen: `${host}:0`,
      stateDir: o.stateDir,
      env: o.env,
      forwardOtlpTo: collectorAddr(o.env.OTEL_EXPORTER_OTLP_ENDPOINT),
      processes: () => supervisor.processes(),
      mesh: {
        destinationAddr: controlPlaneAddr,
        controlPlaneIdentity: CONTROL_PLANE_IDENTITY,
        policyAddr: controlPlaneAddr,
        identityAddr,
        controlPlaneAdminAddr: `${host}:${ports.controlPlaneAdmin}`,
        trustAnchorsFile: identity.trustAnchorsFile,
        issuerCertFile: identity.issuerCertFile,
        resourcesDir: o.resourcesDir,
      },
    });
    await identity.writeCliCertificate(join(o.stateDir, '.weft'));
    o.write(`[dev] √ viz ready (${seconds(performance.now() - vizStarted)})\n`);

    const runner = identity.runnerCertificate();
    registrations = new Registrations(
      controlPlaneAddr,
      meshChannel(
        { cert: runner.certChainPem, key: runner.keyPem, ca: runner.trustAnchorsPem },
        CONTROL_PLANE_IDENTITY,
      ),
      (pod, error) =>
        o.write(`[dev] registration of ${pod} lost (${error.message}); renewed once the control plane is ready\n`),
    );
    const readiness = new WorkloadReadiness(supervisor, registrations, controlPlane.name, o.write);
    // A sidecar back from a restart shows up in `weft check` without waiting for the next scrape.
    const scraped = viz;
    supervisor.onReadiness((_name, ready) => {
      if (ready) void scraped.scrapeNow();
    });
    const registered = registrations;
    return {
      identity,
      viz,
      ctx: {
        controlPlaneAddr,
        controlPlaneIdentity: CONTROL_PLANE_IDENTITY,
        identityAddr,
        identityServiceName: identityServiceName(LOCAL_DOMAIN),
        trustAnchorsPem: identity.trustAnchorsPem,
        otlpEndpoint: `http://${viz.otlpGrpcAddress}`,
        tapClientIdentity: CLI_IDENTITY,
        proxyTraceCollector: viz.address.replace(/^http:\/\//, ''),
        proxyLogLevel: o.proxyLogLevel,
        base,
      },
      allocate,
      async startApps(groups) {
        for (const group of groups) {
          if (group.length === 0) continue;
          await supervisor.startTogether(group.map((w) => w.app));
          for (const w of group) {
            await registerWithControlPlane(registered, w);
            if (w.viz) {
              scraped.registerWorkload(w.viz);
              followed.push(w.viz);
            }
            readiness.follow(w);
          }
        }
      },
      forgetWorkloads,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
