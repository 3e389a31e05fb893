import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Service } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { ScheduledPod } from './pod-env.ts';

// What the API server would hold about the test's pods, written as the
// control plane's local store reads it (a watched folder of YAML): each
// Service with its virtual IP, each Pod with the IP podman gave it, and the
// EndpointSlices Kubernetes' endpoint controller would derive from the two.

const selects = (selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

export class ClusterResources {
  readonly #dir: string;
  readonly #services: V1Service[] = [];
  readonly #pods: ScheduledPod[] = [];

  constructor(dir: string) {
    this.#dir = dir;
    // The control plane runs as another user than this process, and only reads.
    mkdirSync(dir, { recursive: true, mode: 0o755 });
  }

  get dir(): string {
    return this.#dir;
  }

  /** A Service, given its virtual IP as the API server gives one from the Service range. */
  addService(service: V1Service, clusterIP: string): void {
    const withIp: V1Service = { ...service, spec: { ...service.spec, clusterIP } };
    this.#services.push(withIp);
    this.#write(`service-${service.metadata?.namespace}-${service.metadata?.name}`, withIp);
  }

  /** A running pod, then the slices of the Services that select it. */
  addPod(p: ScheduledPod): void {
    this.#pods.push(p);
    const { apiVersion = 'v1', kind = 'Pod', metadata, spec } = p.pod;
    const pod = {
      apiVersion,
      kind,
      metadata: { ...metadata, name: p.name, namespace: p.namespace },
      spec: { ...spec, nodeName: p.nodeName },
      status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }] },
    };
    this.#write(`pod-${p.namespace}-${p.name}`, pod);
    for (const s of this.#services) {
      if (s.metadata?.namespace === p.namespace && selects(s.spec?.selector ?? {}, metadata?.labels ?? {})) {
        this.#writeSlice(s);
      }
    }
  }

  #writeSlice(s: V1Service): void {
    const ns = s.metadata?.namespace ?? '';
    const name = s.metadata?.name ?? '';
    const endpoints = this.#pods
      .filter((p) => p.namespace === ns && selects(s.spec?.selector ?? {}, p.pod.metadata?.labels ?? {}))
      .map((p) => ({
        addresses: [p.ip],
        conditions: { ready: true },
        nodeName: p.nodeName,
        targetRef: { kind: 'Pod', name: p.name, namespace: ns },
      }));
    this.#write(`endpointslice-${ns}-${name}`, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-podman`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      ports: (s.spec?.ports ?? []).map((p) => ({ name: p.name, port: p.targetPort ?? p.port, protocol: 'TCP' })),
      endpoints,
    });
  }

  /** Whole files only: written aside, then renamed, so the watcher never reads half of one. */
  #write(name: string, object: unknown): void {
    const file = join(this.#dir, `${name}.yaml`);
    writeFileSync(`${file}.tmp`, stringify(object), { mode: 0o644 });
    renameSync(`${file}.tmp`, file);
  }
}
