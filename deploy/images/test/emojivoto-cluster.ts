import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Container, V1Pod, V1Service } from '@kubernetes/client-node';
import { applyPatch, DEFAULT_INJECTOR_CONFIG, injectPod } from '@weft/control-plane/injector';
import { ClusterResources } from './cluster-resources.ts';
import { type PodRunContext, type RunningPod, runPod, waitReady } from './kube-pod.ts';
import { deployments, manifest, namespaceAnnotations, patchPod, podOf, services } from './manifest-pods.ts';
import { LOCAL_TOKENS, meshObjects } from './mesh-objects.ts';
import { createPodNetwork, type PodNetwork, removePodNetworks } from './pod-network.ts';
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

export class EmojivotoCluster {
  readonly pods = new Map<string, RunningPod>();
  #network: PodNetwork | undefined;
  readonly #made: string[] = [];

  readonly store: TestStore;
  readonly run: string;
  readonly dir: string;
  readonly images: ClusterImages;

  constructor(store: TestStore, run: string, dir: string, images: ClusterImages) {
    this.store = store;
    this.run = run;
    this.dir = dir;
    this.images = images;
  }

  get network(): PodNetwork | undefined {
    return this.#network;
  }

  async start(): Promise<void> {
    const network = await createPodNetwork(this.store, this.run);
    this.#network = network;
    const mesh = meshObjects();
    const resources = new ClusterResources(join(this.dir, 'resources'));
    const images = {
      'weft/mesh:0.1.0': this.images.mesh,
      'weft/emojivoto:v11': this.images.emojivoto,
    };
    const ctx = (hosts: Record<string, string>): PodRunContext => ({
      store: this.store,
      network,
      run: this.run,
      dir: join(this.dir, 'pods'),
      objects: mesh.objects,
      images,
      hosts,
    });
    const start = async (
      c: PodRunContext,
      pod: V1Pod,
      name: string,
      namespace: string,
      onIp?: (p: RunningPod) => void,
    ) => {
      this.#made.push(`${this.run}-${name}`);
      const running = await runPod(c, pod, name, namespace, onIp);
      this.pods.set(name, running);
      return running;
    };

    const cpObjects = [...manifest('control-plane/identity.yaml'), ...manifest('control-plane/destination.yaml')];
    const [identity, destination] = deployments(cpObjects);
    if (!identity || !destination) throw new Error('deploy/control-plane has no identity or destination Deployment');
    const identityPod = await start(ctx({}), patchPod(podOf(identity), LOCAL_TOKENS), 'weft-identity-0', 'weft-system');
    const cpServices = services(cpObjects);
    const identityHosts = hostsFor(
      cpServices.filter((s) => s.metadata?.name?.startsWith('weft-identity')),
      () => identityPod.ip,
    );
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
    const forwarder: V1Container = {
      name: 'service-ports',
      image: 'weft/mesh:0.1.0',
      command: ['node', '-e', FORWARD],
      args: ['$(POD_IP)', ...SERVICE_PORTS],
      env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
    };
    dstPod.spec?.containers.push(forwarder);
    const dst = await start(ctx(identityHosts), dstPod, 'weft-destination-0', 'weft-system');
    await Promise.all([waitReady(identityPod), waitReady(dst)]);

    const app = manifest('emojivoto/emojivoto.yaml');
    const appServices = services(app);
    const vip = new Map(appServices.map((s, i) => [s, network.serviceIp(i + 1)]));
    for (const [s, ip] of vip) resources.addService(s, ip);
    const hosts = {
      ...identityHosts,
      ...hostsFor(
        cpServices.filter((s) => !s.metadata?.name?.startsWith('weft-identity')),
        () => dst.ip,
      ),
      ...hostsFor(appServices, (s) => vip.get(s) ?? ''),
    };
    const namespaces = namespaceAnnotations(app);
    const config = { ...DEFAULT_INJECTOR_CONFIG, trustAnchorsPem: mesh.trustAnchorsPem };
    for (const d of deployments(app)) {
      const pod = podOf(d);
      const namespace = d.metadata?.namespace ?? 'default';
      const result = injectPod(
        {
          pod,
          namespace,
          namespaceAnnotations: namespaces.get(namespace) ?? {},
          owner: { kind: 'Deployment', name: d.metadata?.name ?? '' },
        },
        config,
      );
      if (result.kind !== 'injected') throw new Error(`${d.metadata?.name} was not injected: ${result.message}`);
      // The Pod object exists with its IP before its containers start, as on a cluster.
      await start(ctx(hosts), applyPatch(pod, result.patch), `${d.metadata?.name}-0`, namespace, (p) =>
        resources.addPod(p),
      );
    }
    await Promise.all([...this.pods.values()].map((p) => waitReady(p)));
  }

  /** Removes the pods, the network and the files, whatever state start() left them in. */
  async close(): Promise<void> {
    const errors: string[] = [];
    if (this.#made.length > 0) {
      await podman(this.store, ['pod', 'rm', '--force', '--ignore', '--time', '0', ...this.#made]).catch((e: Error) =>
        errors.push(e.message),
      );
    }
    await removePodNetworks(this.store).catch((e: Error) => errors.push(e.message));
    rmSync(this.dir, { recursive: true, force: true });
    if (errors.length > 0) throw new Error(errors.join('\n'));
  }
}
