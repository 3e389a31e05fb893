import { canonicalIp } from './ip-address.ts';
import type { Reader } from './reader.ts';
import type { EndpointSlice, Meta, Pod, Service } from './types.ts';

/** metadata.namespace falls back to the context namespace (a file's, or `default`). */
export function readMeta(doc: Reader, defaultNamespace: string): Meta {
  const md = doc.field('metadata');
  return {
    name: md.field('name').string(),
    namespace: md.field('namespace').optString() ?? defaultNamespace,
    labels: md.field('labels').stringMap(),
    annotations: md.field('annotations').stringMap(),
  };
}

export function readService(doc: Reader, meta: Meta): Service {
  const spec = doc.field('spec');
  const ports = spec
    .field('ports')
    .items()
    .map((p) => {
      const port = p.field('port').port();
      const target = p.field('targetPort');
      return {
        name: p.field('name').optString() ?? '',
        port,
        targetPort: target.present ? target.portOrName() : port,
        appProtocol: p.field('appProtocol').optString(),
      };
    });
  return { kind: 'Service', meta, clusterIPs: readClusterIPs(spec), ports };
}

/** spec.clusterIP then spec.clusterIPs (Kubernetes repeats the first in both), without "None" (headless). */
function readClusterIPs(spec: Reader): string[] {
  const ips: string[] = [];
  for (const field of [spec.field('clusterIP'), ...spec.field('clusterIPs').items()]) {
    // Unset or "" before the API server allocates one.
    if (field.value === '' || !field.present) continue;
    const text = field.string();
    if (text === 'None') continue;
    const ip = canonicalIp(text) ?? field.fail(`expected an IP address or None, got "${text}"`);
    if (!ips.includes(ip)) ips.push(ip);
  }
  return ips;
}

export function readEndpointSlice(doc: Reader, meta: Meta): EndpointSlice {
  const service =
    meta.labels['kubernetes.io/service-name'] ??
    doc.field('metadata').field('labels').fail('missing kubernetes.io/service-name');
  return {
    kind: 'EndpointSlice',
    meta,
    service,
    ports: doc
      .field('ports')
      .items()
      .map((p) => ({
        name: p.field('name').optString() ?? '',
        port: p.field('port').port(),
        appProtocol: p.field('appProtocol').optString(),
      })),
    endpoints: doc
      .field('endpoints')
      .items()
      .map((e) => {
        const ref = e.field('targetRef');
        // Kubernetes: a missing `ready` means unknown, which consumers treat as ready.
        const ready = e.field('conditions').field('ready');
        return {
          addresses: e
            .field('addresses')
            .items()
            .map((a) => a.string()),
          ready: ready.present ? ready.bool() : true,
          pod: ref.field('kind').optString() === 'Pod' ? ref.field('name').optString() : undefined,
        };
      }),
  };
}

const PROXY_CONTAINER = 'weft-proxy';

export function readPod(doc: Reader, meta: Meta): Pod {
  const spec = doc.field('spec');
  const containers = spec.field('containers').items();
  const containerPorts = containers.flatMap((c) =>
    c
      .field('ports')
      .items()
      .map((p) => ({ name: p.field('name').optString() ?? '', port: p.field('containerPort').port() })),
  );
  const httpProbes = containers.flatMap((c) =>
    (['livenessProbe', 'readinessProbe', 'startupProbe'] as const).flatMap((kind) => {
      const get = c.field(kind).field('httpGet');
      if (!get.present) return [];
      const target = get.field('port').portOrName();
      const port = typeof target === 'number' ? target : containerPorts.find((p) => p.name === target)?.port;
      return port ? [{ port, path: get.field('path').optString() ?? '/' }] : [];
    }),
  );
  let proxyInboundPort: number | undefined;
  for (const c of containers) {
    if (c.field('name').optString() !== PROXY_CONTAINER) continue;
    proxyInboundPort = 4143;
    for (const e of c.field('env').items()) {
      if (e.field('name').optString() === 'WEFT_PROXY_INBOUND_LISTEN_ADDR') {
        const port = Number(/:(\d+)$/.exec(e.field('value').optString() ?? '')?.[1]);
        if (port > 0 && port < 65536) proxyInboundPort = port;
      }
    }
  }
  return {
    kind: 'Pod',
    meta,
    // A pod that has Succeeded or Failed has given its IP back: the next pod may have it.
    ip: ['Succeeded', 'Failed'].includes(doc.field('status').field('phase').optString() ?? '')
      ? undefined
      : doc.field('status').field('podIP').optString(),
    serviceAccount: spec.field('serviceAccountName').optString() ?? 'default',
    owner: ownerOf(doc, meta),
    containerPorts,
    httpProbes,
    proxyInboundPort,
  };
}

// Pods of a Deployment are owned by a ReplicaSet `<deployment>-<pod-template-hash>`;
// the deployment name is what users think in, so report that.
function ownerOf(doc: Reader, meta: Meta): Pod['owner'] {
  const ref =
    doc
      .field('metadata')
      .field('ownerReferences')
      .items()
      .find((r) => r.field('controller').bool(false)) ?? doc.field('metadata').field('ownerReferences').items()[0];
  if (!ref) return undefined;
  const kind = ref.field('kind').string();
  const name = ref.field('name').string();
  const hash = meta.labels['pod-template-hash'];
  if (kind === 'ReplicaSet' && hash && name.endsWith(`-${hash}`)) {
    return { kind: 'deployment', name: name.slice(0, -hash.length - 1) };
  }
  return { kind: kind.toLowerCase(), name };
}
