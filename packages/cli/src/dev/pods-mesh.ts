import { DEFAULT_INJECTOR_CONFIG, INJECT_ANNOTATION } from '@weft/control-plane/injector';
import type { PodPlan } from '../pods/plan.ts';
import { APP_UID, PROXY_UID, podCommand } from '../pods/pod-command.ts';
import { podFilesDir } from '../pods/pod-files.ts';
import { type PodNetwork, startPodNetwork } from '../pods/pod-network.ts';
import type { Workload as VizWorkload } from '../viz/workload.ts';
import { emojivotoPods } from './emojivoto-pods.ts';
import { type MeshCore, startMeshCore, stopWorkloads } from './mesh-core.ts';
import { LOCAL_RESOURCES_DIR } from './mesh-services.ts';
import { START_GROUPS } from './meshed-emojivoto.ts';
import type { PodDeployment, PodProbe, PodService } from './pod-resources.ts';
import { readPodResources, selects } from './pod-resources.ts';
import { podSidecar } from './pod-sidecar.ts';
import type { ProcessSpec, ReadinessCheck } from './process-spec.ts';
import type { Supervisor } from './supervisor.ts';
import type { FollowedWorkload } from './workload-readiness.ts';

// `weft dev --pods` (Linux, root): emojivoto, and the Deployments of the
// resource folder, each in a network namespace of its own with proxy-init's
// rules, as on Kubernetes. The mesh's own services run on the host at the
// bridge's gateway; each pod's app and sidecar run inside its namespace as
// the container users (podCommand), supervised as in loopback mode. Stopping
// ends the processes, then removes the network; a run that dies is removed
// by the next start (pod-network.ts).

export interface PodsMeshOptions {
  readonly stateDir: string;
  readonly withBot: boolean;
  readonly withCanary: boolean;
  readonly resourcesDir?: string;
  readonly proxyLogLevel: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly write: (text: string) => void;
}

export interface PodsMesh {
  readonly webUrl: string;
  readonly network: PodNetwork;
  readonly core: MeshCore;
  stop(): Promise<void>;
}

type PodWorkload = FollowedWorkload & { readonly deployment: string; readonly viz?: VizWorkload };

const PORTS = DEFAULT_INJECTOR_CONFIG.ports;
const isMeshed = (d: PodDeployment) => d.annotations[INJECT_ANNOTATION] !== 'disabled';

function readiness(probe: PodProbe | undefined, address: string): ReadinessCheck {
  switch (probe?.kind) {
    case 'http':
      return { kind: 'http', url: `http://${address}:${probe.port}${probe.path}` };
    case 'tcp':
      return { kind: 'tcp', host: address, port: probe.port };
    case 'log':
      return probe;
    default:
      // A container without a readiness probe is ready once it runs.
      return { kind: 'log', pattern: /(?:)/ };
  }
}

function inPod(name: string, plan: PodPlan, argv: readonly string[], uid: number, env: Record<string, string>) {
  const { command, args } = podCommand(plan.netns, argv, { uid });
  return { name, command, args, env };
}

async function podWorkload(
  d: PodDeployment,
  plan: PodPlan,
  services: readonly string[],
  core: MeshCore,
  run: string,
): Promise<PodWorkload> {
  const pod = `${d.name}-0`;
  const address = plan.address;
  const app: ProcessSpec = {
    ...inPod(d.name, plan, d.argv, APP_UID, {
      ...core.ctx.base,
      NODE_COMPILE_CACHE: podFilesDir(run, `cache-${APP_UID}`, APP_UID),
      ...d.env,
      // The viz server's receiver, which forwards to the user's collector too.
      OTEL_EXPORTER_OTLP_ENDPOINT: core.ctx.otlpEndpoint,
    }),
    ready: readiness(d.probe, address),
  };
  const registration = {
    namespace: d.namespace,
    service: services[0] ?? '',
    pod,
    deployment: d.name,
    serviceAccount: d.serviceAccount,
    // Port 0: each Service port reaches the pod on its targetPort.
    address: { ip: address, port: 0 },
    inboundPort: isMeshed(d) ? PORTS.inbound : 0,
    labels: d.labels,
    annotations: d.annotations,
  };
  if (!isMeshed(d)) return { deployment: d.name, pod, identity: '', app, registration };

  const token = await core.identity.tokenFor(d.serviceAccount, d.namespace, {
    dir: podFilesDir(run, d.name, PROXY_UID),
    uid: PROXY_UID,
  });
  const sidecar = podSidecar(d, pod, {
    ctx: core.ctx,
    identity: token.identity,
    tokenFile: token.file,
    cache: podFilesDir(run, `cache-${PROXY_UID}`, PROXY_UID),
  });
  return {
    deployment: d.name,
    pod,
    identity: token.identity,
    app,
    sidecar: {
      ...inPod(`${d.name}-proxy`, plan, sidecar.argv, PROXY_UID, sidecar.env),
      ready: { kind: 'http', url: `http://${address}:${PORTS.admin}/ready` },
    },
    registration,
    viz: {
      namespace: d.namespace,
      deployment: d.name,
      pod,
      services,
      serviceAccount: d.serviceAccount,
      identity: token.identity,
      adminAddr: `${address}:${PORTS.admin}`,
      inboundAddr: `${address}:${PORTS.inbound}`,
      tapAddr: `${address}:${PORTS.tap}`,
    },
  };
}

export async function startPodsMesh(supervisor: Supervisor, o: PodsMeshOptions): Promise<PodsMesh> {
  const resourcesDir = o.resourcesDir ?? LOCAL_RESOURCES_DIR;
  const resources = readPodResources(resourcesDir);
  const deployments = [...emojivotoPods(o.env, o), ...resources.deployments];
  // A Service with only named target ports has nothing to plan a virtual IP for.
  const services: PodService[] = resources.services.filter((s) => s.ports.length > 0);
  const servicesOf = (d: PodDeployment) => services.filter((s) => selects(s, d.namespace, d.labels)).map((s) => s.name);

  const started = performance.now();
  const network = await startPodNetwork({
    workloads: deployments.map((d) => ({
      name: d.name,
      namespace: d.namespace,
      services: servicesOf(d),
      ports: d.ports,
      meshed: isMeshed(d),
      annotations: d.annotations,
    })),
    services: services.map((s) => ({ name: s.name, namespace: s.namespace, ports: s.ports })),
    warn: (message) => o.write(`[dev] ${message}\n`),
  });
  const { plan } = network;
  // Whatever ends this process (an uncaught error included) removes the network; SIGKILL is left to the next start.
  const onExit = () => {
    try {
      network.teardown();
    } catch (error) {
      process.stderr.write(`[dev] ${(error as Error).message}\n`);
    }
  };
  process.once('exit', onExit);
  o.write(
    `[dev] √ pods network ${plan.run}: bridge ${plan.bridge} ${plan.gateway}, pods ${plan.podCidr}, Services ${plan.clusterCidr} (${((performance.now() - started) / 1000).toFixed(1)}s)\n`,
  );

  let core: MeshCore | undefined;
  const workloads: PodWorkload[] = [];
  const stop = async () => {
    core?.forgetWorkloads();
    await stopWorkloads(supervisor, workloads);
    await core?.close();
    process.off('exit', onExit);
    network.teardown();
  };
  try {
    core = await startMeshCore(supervisor, {
      stateDir: o.stateDir,
      resourcesDir,
      pods: {
        gateway: plan.gateway,
        serviceIPs: plan.services.map((s) => `${s.namespace}/${s.name}=${s.clusterIP}`).join(','),
      },
      proxyLogLevel: o.proxyLogLevel,
      env: o.env,
      write: o.write,
    });
    for (const d of deployments) {
      const podPlan = plan.pods.find((p) => p.workload === d.name) as PodPlan;
      workloads.push(await podWorkload(d, podPlan, servicesOf(d), core, plan.run));
    }
    await supervisor.startTogether(workloads.flatMap((w) => (w.sidecar ? [w.sidecar] : [])));
    // emojivoto in its order; the folder's Deployments with its first group.
    const emojivoto = START_GROUPS.flat();
    await core.startApps(
      START_GROUPS.map((names, i) =>
        workloads.filter((w) => names.includes(w.deployment) || (i === 0 && !emojivoto.includes(w.deployment))),
      ),
    );
    const web = plan.pods.find((p) => p.workload === 'web');
    return {
      webUrl: web ? `http://${web.address}:8080` : '',
      network,
      core,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
