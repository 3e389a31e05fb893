import type { VizServer } from '../viz/server.ts';
import { type MeshCore, startMeshCore, stopWorkloads } from './mesh-core.ts';
import { LOCAL_RESOURCES_DIR } from './mesh-services.ts';
import { type MeshedWorkload, meshedEmojivoto, NAMESPACE, START_GROUPS } from './meshed-emojivoto.ts';
import type { Supervisor } from './supervisor.ts';

// `weft dev`: the local mesh with emojivoto on loopback. In order: the mesh's
// own services (mesh-core.ts), every sidecar, then the apps, each registered
// with the control plane and the viz server once ready. Stopping runs in
// reverse, sidecars draining.

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

export async function startLocalMesh(supervisor: Supervisor, o: LocalMeshOptions): Promise<LocalMesh> {
  let workloads: MeshedWorkload[] = [];
  let core: MeshCore | undefined;
  const stop = async () => {
    core?.forgetWorkloads();
    await stopWorkloads(supervisor, workloads);
    await core?.close();
  };
  try {
    core = await startMeshCore(supervisor, {
      stateDir: o.stateDir,
      resourcesDir: o.resourcesDir ?? LOCAL_RESOURCES_DIR,
      reservedPort: o.webPort,
      proxyLogLevel: o.proxyLogLevel,
      env: o.env,
      write: o.write,
    });
    const identity = core.identity;
    workloads = await meshedEmojivoto(core.ctx, o.env, {
      withBot: o.withBot,
      withCanary: o.withCanary,
      webInboundPort: o.webPort,
      allocate: core.allocate,
      tokenFor: (sa, ns) => identity.tokenFor(sa, ns),
    });
    await supervisor.startTogether(workloads.map((w) => w.sidecar));
    await core.startApps(
      START_GROUPS.map((names) =>
        workloads
          .filter((w) => names.includes(w.deployment))
          .map((w) => ({
            ...w,
            viz: {
              namespace: NAMESPACE,
              deployment: w.deployment,
              pod: w.pod,
              services: w.service ? [w.service] : [],
              serviceAccount: w.serviceAccount,
              identity: w.identity,
              adminAddr: `${LOOPBACK}:${w.ports.sidecar.admin}`,
              inboundAddr: `${LOOPBACK}:${w.ports.sidecar.inbound}`,
              tapAddr: `${LOOPBACK}:${w.ports.sidecar.tap}`,
            },
          })),
      ),
    );
    return {
      webUrl: `http://localhost:${o.webPort}`,
      viz: core.viz,
      workloads,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
