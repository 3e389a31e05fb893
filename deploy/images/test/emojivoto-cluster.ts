import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { applyPatch, DEFAULT_INJECTOR_CONFIG, injectPod } from '@weft/control-plane/injector';
import { ClusterResources } from './cluster-resources.ts';
import { type PodRunContext, type RunningPod, runPod, waitReady } from './kube-pod.ts';
import { deployments, manifest, namespaceAnnotations, patchPod, podOf, services } from './manifest-pods.ts';
import { LOCAL_TOKENS, meshObjects } from './mesh-objects.ts';
import type { ClusterObjects } from './pod-env.ts';
import { createPodNetwork, type PodNetwork } from './pod-network.ts';
import { podman, type TestStore } from './podman.ts';

// emojivoto on the mesh the way a kind cluster runs it, with podman in place
// of the kubelet: identity and destination from deploy/control-plane's
// Deployments, then every Deployment of deploy/emojivoto/emojivoto.yaml as
// the injector writes its pod, on one pod network. The apps' Services get
// virtual IPs the pods resolve their names to; nothing answers there but
// the proxies' routing by original destination (no kube-proxy).

export interface ClusterImages {
  readonly mesh: string;
  readonly emojivoto: string;
}

const RESOURCES_MOUNT = '/var/run/weft/resources';
// The local store serves on loopback only, so a container of destination's
// pod carries the ports its Services name to it, as kube-proxy maps a
// Service port to its targetPort: weft-dst and the headless one (8086),
// weft-policy (8090) and the admin port its probes use.
const SERVICE_PORTS = ['8086:8086', '8090:8086', '9996:9996'];
const FORWARD = `const net = require('node:net');
const [ip, ...maps] = process.argv.slice(1);
for (const map of maps) {
  const [from, to] = map.split(':').map(Number);
  net.createServer((c) => {
    const up = net.connect(to, '127.0.0.1');
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  }).listen(from, ip);
}`;

/** The names cluster DNS answers for a Service, with and without the search path and final dot. */
function serviceNames(s: V1Service): string[] {
  const short = `${s.metadata?.name}.${s.metadata?.namespace}`;
  return [short, `${short}.svc`, `${short}.svc.cluster.local`, `${short}.svc.cluster.local.`];
}

const hostsFor = (list: V1Service[], ip: (s: V1Service) => string) =>
  Object.fromEntries(list.flatMap((s) => serviceNames(s).map((n) => [n, ip(s)])));

/** The names the mesh's own pods answer: its Services, each to the one pod behind it. */
type MeshHosts = Record<string, string>;

export class EmojivotoCluster {
  readonly pods = new Map<string, RunningPod>();
  readonly store: TestStore;
  readonly run: string;
  readonly dir: string;
  readonly images: ClusterImages;
  readonly #made: string[] = [];
  #network: PodNetwork | undefined;

  constructor(store: TestStore, run: string, dir: string, images: ClusterImages) {
    this.store = store;
    this.run = run;
    this.dir = dir;
    this.images = images;
  }

  /** Starts the mesh's pods, then emojivoto's, and returns once every pod is ready. */
  async start(): Promise<void> {
    this.#network = await createPodNetwork(this.store, this.run);
    const mesh = meshObjects();
    const resources = new ClusterResources(join(this.dir, 'resources'));
    const ctx = this.#context(this.#network, mesh.objects);
    const meshHosts = await this.#startControlPlane(ctx, resources);
    await this.#startEmojivoto(ctx, resources, meshHosts, mesh.trustAnchorsPem);
    await Promise.all([...this.pods.values()].map((p) => waitReady(p)));
  }

  #context(network: PodNetwork, objects: ClusterObjects) {
    const images = { 'weft/mesh:0.1.0': this.images.mesh, 'weft/emojivoto:v11': this.images.emojivoto };
    return (hosts: Record<string, string>): PodRunContext => ({
      store: this.store,
      network,
      run: this.run,
      dir: join(this.dir, 'pods'),
      objects,
      images,
      hosts,
    });
  }

  async #start(ctx: PodRunContext, pod: V1Pod, name: string, namespace: string, onIp?: (p: RunningPod) => void) {
    this.#made.push(`${this.run}-${name}`);
    const running = await runPod(ctx, pod, name, namespace, onIp);
    this.pods.set(name, running);
    return running;
  }

  /** identity, then destination (which certifies itself with identity), both ready. */
  async #startControlPlane(ctx: (hosts: MeshHosts) => PodRunContext, resources: ClusterResources): Promise<MeshHosts> {
    const objects = [...manifest('control-plane/identity.yaml'), ...manifest('control-plane/destination.yaml')];
    const [identity, destination] = deployments(objects);
    if (!identity || !destination) throw new Error('deploy/control-plane has no identity or destination Deployment');
    const ofIdentity = (s: V1Service) => s.metadata?.name?.startsWith('weft-identity') === true;
    const identityPod = await this.#start(
      ctx({}),
      patchPod(podOf(identity), LOCAL_TOKENS),
      'weft-identity-0',
      'weft-system',
    );
    const identityHosts = hostsFor(services(objects).filter(ofIdentity), () => identityPod.ip);
    const dstPod = patchPod(podOf(destination), {
      env: {
        WEFT_CP_BACKEND: 'local',
        WEFT_CP_RESOURCE_DIR: RESOURCES_MOUNT,
        WEFT_CP_LISTEN_ADDR: '127.0.0.1:8086',
        WEFT_CP_ADMIN_ADDR: '127.0.0.1:9996',
      },
      volume: { name: 'resources', hostPath: { path: resources.dir } },
      mountPath: RESOURCES_MOUNT,
    });
    dstPod.spec?.containers.push({
      name: 'service-ports',
      image: 'weft/mesh:0.1.0',
      command: ['node', '-e', FORWARD],
      args: ['$(POD_IP)', ...SERVICE_PORTS],
      env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
    });
    const dst = await this.#start(ctx(identityHosts), dstPod, 'weft-destination-0', 'weft-system');
    await Promise.all([waitReady(identityPod), waitReady(dst)]);
    return {
      ...identityHosts,
      ...hostsFor(
        services(objects).filter((s) => !ofIdentity(s)),
        () => dst.ip,
      ),
    };
  }

  /** Every Deployment of emojivoto.yaml as the injector writes its pod; its Services on virtual IPs. */
  async #startEmojivoto(
    ctx: (hosts: MeshHosts) => PodRunContext,
    resources: ClusterResources,
    meshHosts: MeshHosts,
    trustAnchorsPem: string,
  ): Promise<void> {
    const network = this.#network as PodNetwork;
    const app = manifest('emojivoto/emojivoto.yaml');
    const appServices = services(app);
    const vip = new Map(appServices.map((s, i) => [s, network.serviceIp(i + 1)]));
    for (const [s, ip] of vip) resources.addService(s, ip);
    const hosts = { ...meshHosts, ...hostsFor(appServices, (s) => vip.get(s) ?? '') };
    const namespaces = namespaceAnnotations(app);
    const config = { ...DEFAULT_INJECTOR_CONFIG, trustAnchorsPem };
    for (const d of deployments(app)) {
      const pod = podOf(d);
      const namespace = d.metadata?.namespace ?? 'default';
      const owner = { kind: 'Deployment', name: d.metadata?.name ?? '' };
      const result = injectPod(
        { pod, namespace, namespaceAnnotations: namespaces.get(namespace) ?? {}, owner },
        config,
      );
      if (result.kind !== 'injected') throw new Error(`${d.metadata?.name} was not injected: ${result.message}`);
      // The Pod object exists with its IP before its containers start, as on a cluster.
      await this.#start(ctx(hosts), applyPatch(pod, result.patch), `${d.metadata?.name}-0`, namespace, (p) =>
        resources.addPod(p),
      );
    }
  }

  /** Removes the pods, the network and the files, whatever state start() left them in. */
  async close(): Promise<void> {
    const errors: string[] = [];
    if (this.#made.length > 0) {
      await podman(this.store, ['pod', 'rm', '--force', '--ignore', '--time', '0', ...this.#made]).catch((e: Error) =>
        errors.push(e.message),
      );
    }
    if (this.#network) {
      await podman(this.store, ['network', 'rm', '--force', this.#network.name]).catch((e: Error) =>
        errors.push(e.message),
      );
    }
    rmSync(this.dir, { recursive: true, force: true });
    if (errors.length > 0) throw new Error(errors.join('\n'));
  }
}
