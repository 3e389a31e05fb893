import { join } from 'node:path';
import { identityServiceName } from '@weft/identity';
import { meshChannel } from '../viz/control-plane-channel.ts';
import { startViz, type VizServer } from '../viz/server.ts';
import { freePorts } from './free-port.ts';
import {
  CLI_IDENTITY,
  CONTROL_PLANE_IDENTITY,
  createLocalIdentity,
  LOCAL_DOMAIN,
  type LocalIdentity,
} from './local-identity.ts';
import { baseEnv, controlPlaneSpec, identitySpec, LOCAL_RESOURCES_DIR } from './mesh-services.ts';
import { type MeshedWorkload, meshedEmojivoto, NAMESPACE } from './meshed-emojivoto.ts';
import { Registrations } from './registration.ts';
import type { Supervisor } from './supervisor.ts';
import { registerWithControlPlane, WorkloadReadiness } from './workload-readiness.ts';

// `weft dev`: the local mesh with emojivoto. In order: a fresh CA, the
// identity service and the control plane, the viz server (in this process),
// every sidecar, then the apps, each registered with the control plane and
// the viz server once ready. Stopping runs in reverse, sidecars draining.

export interface LocalMeshOptions {
  /** Where .weft/ goes: the state file the CLI finds, the CA, the compile cache. */
  readonly stateDir: string;
  readonly withBot: boolean;
  /** Also run web-v2 (Service web-svc-v2) for a canary of web. */
  readonly withCanary: boolean;
  /** The folder the control plane reads; default deploy/local/resources. */
  readonly resourcesDir?: string;
  readonly webPort: number;
  readonly proxyLogLevel: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly write: (text: string) => void;
}

export interface LocalMesh {
  readonly webUrl: string;
  readonly viz: VizServer;
  readonly workloads: readonly MeshedWorkload[];
  /** Stops what was started, in order; safe to call after a failed start. */
  stop(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

/** host:port of the user's own collector (Jaeger), from OTEL_EXPORTER_OTLP_ENDPOINT. */
function collectorAddr(endpoint: string | undefined): string | undefined {
  if (!endpoint) return undefined;
  return endpoint.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

export async function startLocalMesh(supervisor: Supervisor, o: LocalMeshOptions): Promise<LocalMesh> {
  const dir = join(o.stateDir, '.weft', 'dev');
  const resourcesDir = o.resourcesDir ?? LOCAL_RESOURCES_DIR;
  let identity: LocalIdentity | undefined;
  let viz: VizServer | undefined;
  let registrations: Registrations | undefined;
  let workloads: MeshedWorkload[] = [];
  const stop = async () => {
    registrations?.close();
    for (const w of workloads) viz?.unregister(NAMESPACE, w.pod);
    // Traffic sources and sidecars first: a sidecar's SIGTERM lets in-flight
    // requests finish before it exits, while its app still answers.
    const sources = workloads.filter((w) => w.deployment === 'vote-bot').map((w) => w.app.name);
    await supervisor.stop([...sources, ...workloads.map((w) => w.sidecar.name)]);
    await supervisor.stop();
    await viz?.close();
    identity?.close();
  };
  try {
    const caStarted = performance.now();
    identity = await createLocalIdentity(join(dir, 'ca'));
    o.write(`[dev] √ trust anchor and issuer created in ${dir} (${seconds(performance.now() - caStarted)})\n`);
    // Free ports other than the one web's sidecar was promised.
    const allocate = async (count: number) =>
      (await freePorts(count + 1)).filter((port) => port !== o.webPort).slice(0, count);
    const [identityGrpc, identityAdmin, controlPlaneGrpc, controlPlaneAdmin] = await allocate(4);
    const ports = {
      identityGrpc: identityGrpc as number,
      identityAdmin: identityAdmin as number,
      controlPlaneGrpc: controlPlaneGrpc as number,
      controlPlaneAdmin: controlPlaneAdmin as number,
    };
    const base = baseEnv(o.env, join(dir, 'compile-cache'));
    const controlPlane = await controlPlaneSpec(ports, resourcesDir, identity, base);
    await supervisor.startTogether([identitySpec(ports, identity, base), controlPlane]);

    const vizStarted = performance.now();
    const controlPlaneAddr = `${LOOPBACK}:${ports.controlPlaneGrpc}`;
    const identityAddr = `${LOOPBACK}:${ports.identityGrpc}`;
    viz = await startViz({
      stateDir: o.stateDir,
      env: o.env,
      forwardOtlpTo: collectorAddr(o.env.OTEL_EXPORTER_OTLP_ENDPOINT),
      processes: () => supervisor.processes(),
      mesh: {
        destinationAddr: controlPlaneAddr,
        controlPlaneIdentity: CONTROL_PLANE_IDENTITY,
        policyAddr: controlPlaneAddr,
        identityAddr,
        controlPlaneAdminAddr: `${LOOPBACK}:${ports.controlPlaneAdmin}`,
        trustAnchorsFile: identity.trustAnchorsFile,
        issuerCertFile: identity.issuerCertFile,
        resourcesDir,
      },
    });
    await identity.writeCliCertificate(join(o.stateDir, '.weft'));
    o.write(`[dev] √ viz ready (${seconds(performance.now() - vizStarted)})\n`);

    const ctx = {
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
    };
    const localIdentity = identity;
    workloads = await meshedEmojivoto(ctx, o.env, {
      withBot: o.withBot,
      withCanary: o.withCanary,
      webInboundPort: o.webPort,
      allocate,
      tokenFor: (sa, ns) => localIdentity.tokenFor(sa, ns),
    });
    await supervisor.startTogether(workloads.map((w) => w.sidecar));

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
    // emoji and voting together, then web (its readiness calls emoji), then the bot.
    const groups = [['emoji', 'voting'], ['web', 'web-v2'], ['vote-bot']];
    for (const names of groups) {
      const group = workloads.filter((w) => names.includes(w.deployment));
      if (group.length === 0) continue;
      await supervisor.startTogether(group.map((w) => w.app));
      for (const w of group) {
        await register(registrations, viz, w);
        readiness.follow(w);
      }
    }
    return {
      webUrl: `http://localhost:${o.webPort}`,
      viz,
      workloads,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function register(registrations: Registrations, viz: VizServer, w: MeshedWorkload): Promise<void> {
  await registerWithControlPlane(registrations, w);
  viz.registerWorkload({
    namespace: NAMESPACE,
    deployment: w.deployment,
    pod: w.pod,
    services: w.service ? [w.service] : [],
    serviceAccount: w.serviceAccount,
    identity: w.identity,
    adminAddr: `${LOOPBACK}:${w.ports.sidecar.admin}`,
    inboundAddr: `${LOOPBACK}:${w.ports.sidecar.inbound}`,
    tapAddr: `${LOOPBACK}:${w.ports.sidecar.tap}`,
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
