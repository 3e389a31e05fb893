import { join } from 'node:path';
import type { V1Container, V1Pod, V1Probe } from '@kubernetes/client-node';
import { podmanRunFlags } from './injected-pod.ts';
import { type ClusterObjects, containerEnv, podVolumes, type ScheduledPod } from './pod-env.ts';
import { type PodNetwork, routePod } from './pod-network.ts';
import { podman, type TestStore, waitFor } from './podman.ts';

// A pod spec run the way a kubelet runs it, with podman: one podman pod
// (one network namespace) on the test's pod network, its init containers in
// order, each to completion, except native sidecars (restartPolicy Always),
// which start and must pass their startup probe before anything after them
// starts; then the containers. Container ports need no publishing: each is
// reached at the pod's IP, as on a cluster.

export interface PodRunContext {
  readonly store: TestStore;
  readonly network: PodNetwork;
  /** Prefix of every podman name this run makes. */
  readonly run: string;
  /** Where the pods' volumes are written. */
  readonly dir: string;
  readonly objects: ClusterObjects;
  /** The image each spec's image name stands for in the test's store. */
  readonly images: Readonly<Record<string, string>>;
  /** Names and addresses the pods resolve, as cluster DNS would answer them. */
  readonly hosts: Readonly<Record<string, string>>;
}

export interface RunningPod extends ScheduledPod {
  /** podman's name for the pod; its containers are `<podmanName>-<container>`. */
  readonly podmanName: string;
}

const PROBE_DEADLINE_MS = 120_000;

/** The port a probe names, by number or by the name of one of the container's ports. */
function probePort(c: V1Container, probe: V1Probe): number {
  const port = probe.httpGet?.port;
  if (typeof port === 'number') return port;
  const named = c.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`container ${c.name}: its probe's port ${String(port)} is not among its ports`);
  return named.containerPort;
}

/** Waits until the container's probe answers 2xx at the pod IP, as the kubelet asks it. */
export async function waitProbe(p: RunningPod, c: V1Container, probe: V1Probe | undefined): Promise<void> {
  if (!probe?.httpGet) return;
  const url = `http://${p.ip}:${probePort(c, probe)}${probe.httpGet.path ?? '/'}`;
  await waitFor(
    () =>
      fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.status,
        (err: Error) => err.message,
      ),
    (status) => typeof status === 'number' && status >= 200 && status < 400,
    PROBE_DEADLINE_MS,
  ).catch((err: Error) => {
    throw new Error(`pod ${p.name}, container ${c.name}: ${url} never ready: ${err.message}`);
  });
}

function image(ctx: PodRunContext, c: V1Container): string {
  const local = ctx.images[c.image ?? ''];
  if (!local) throw new Error(`container ${c.name}: no image of the test stands for ${c.image}`);
  return local;
}

async function start(ctx: PodRunContext, p: RunningPod, c: V1Container, volumes: Map<string, string>, detach: boolean) {
  const { env, args } = containerEnv(p, c, ctx.objects);
  const mounts = (c.volumeMounts ?? []).flatMap((m) => {
    const host = volumes.get(m.name);
    if (!host) throw new Error(`container ${c.name}: no volume ${m.name}`);
    return ['--volume', `${host}:${m.mountPath}${m.readOnly ? ':ro' : ''}`];
  });
  return podman(ctx.store, [
    'run',
    ...(detach ? ['--detach'] : []),
    '--pod',
    p.podmanName,
    '--name',
    `${p.podmanName}-${c.name}`,
    ...podmanRunFlags(c),
    ...env.flatMap((e) => ['--env', e]),
    ...mounts,
    image(ctx, c),
    ...args,
  ]);
}

/**
 * Starts the pod and returns once its containers are started (not ready: see
 * `waitReady`). `onScheduled` learns the pod's IP before any container
 * starts. A failing init container fails the start with its output.
 */
export async function runPod(
  ctx: PodRunContext,
  pod: V1Pod,
  name: string,
  namespace: string,
  onScheduled?: (p: RunningPod) => void,
): Promise<RunningPod> {
  const podmanName = `${ctx.run}-${name}`;
  await podman(ctx.store, [
    'pod',
    'create',
    '--name',
    podmanName,
    '--network',
    ctx.network.name,
    '--hostname',
    name,
    ...Object.entries(ctx.hosts).flatMap(([host, ip]) => ['--add-host', `${host}:${ip}`]),
  ]);
  await podman(ctx.store, ['pod', 'start', podmanName]);
  const { stdout: infra } = await podman(ctx.store, [
    'pod',
    'inspect',
    '--format',
    '{{.InfraContainerID}}',
    podmanName,
  ]);
  const { stdout: state } = await podman(ctx.store, [
    'inspect',
    '--format',
    `{{.State.Pid}} {{(index .NetworkSettings.Networks "${ctx.network.name}").IPAddress}}`,
    infra.trim(),
  ]);
  const [pid, ip] = state.trim().split(' ');
  await routePod(Number(pid), ctx.network);
  const running: RunningPod = { pod, name, namespace, ip: ip ?? '', nodeName: ctx.network.name, podmanName };
  onScheduled?.(running);
  const volumes = podVolumes(running, join(ctx.dir, name), ctx.objects);
  for (const c of pod.spec?.initContainers ?? []) {
    const sidecar = c.restartPolicy === 'Always';
    await start(ctx, running, c, volumes, sidecar);
    if (sidecar) await waitProbe(running, c, c.startupProbe ?? c.readinessProbe);
  }
  for (const c of pod.spec?.containers ?? []) await start(ctx, running, c, volumes, true);
  return running;
}

/** Waits for every container's readiness probe, as a Deployment's rollout does. */
export async function waitReady(p: RunningPod): Promise<void> {
  const spec = p.pod.spec;
  const all = [
    ...(spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
    ...(spec?.containers ?? []),
  ];
  await Promise.all(all.map((c) => waitProbe(p, c, c.readinessProbe)));
}
