import type { DestinationClient } from '@weft/api/gen/weft/destination/Destination.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningControlPlane } from '../src/control-plane.ts';
import { K8sStore } from '../src/store/k8s/k8s-store.ts';
import { FakeApiServer } from './support/fake-api-server.ts';
import { serveK8sStore } from './support/k8s-plane.ts';
import { eventually } from './support/local-plane.ts';
import { StreamReader } from './support/stream.ts';

// Get and GetProfile by IP:port with the Kubernetes backend: cluster IPs and
// pod IPs as the API server reports them, followed through watch events.

const SERVICES = '/api/v1/services';
const SLICES = '/apis/discovery.k8s.io/v1/endpointslices';
const PODS = '/api/v1/pods';

const service = (name: string, spec: object) => ({
  metadata: { name, namespace: 'emojivoto' },
  spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec },
});
const slice = (service: string, ips: string[]) => ({
  metadata: { name: `${service}-abc`, namespace: 'emojivoto', labels: { 'kubernetes.io/service-name': service } },
  ports: [{ name: 'http', port: 8080 }],
  endpoints: ips.map((ip, i) => ({
    addresses: [ip],
    conditions: { ready: true },
    targetRef: { kind: 'Pod', name: `${service}-${i}` },
  })),
});
const pod = (name: string, ip: string, annotations: Record<string, string> = {}) => ({
  metadata: {
    name,
    namespace: 'emojivoto',
    labels: { 'weft.dev/control-plane-ns': 'weft' },
    annotations,
    ownerReferences: [{ kind: 'StatefulSet', name: 'web', controller: true }],
  },
  spec: { serviceAccountName: 'web', containers: [{ name: 'web', ports: [{ containerPort: 8080 }] }] },
  status: { podIP: ip },
});

const WEB_IDENTITY = 'web.emojivoto.serviceaccount.identity.weft.cluster.local';

describe('destination by IP:port (Kubernetes backend)', () => {
  let api: FakeApiServer | undefined;
  let store: K8sStore | undefined;
  let cp: RunningControlPlane | undefined;
  let client: DestinationClient | undefined;

  afterEach(async () => {
    client?.close();
    await cp?.close();
    await store?.close();
    await api?.stop();
    [api, store, cp, client] = [undefined, undefined, undefined, undefined];
  });

  async function start() {
    const server = new FakeApiServer();
    api = server;
    await server.start();
    server.apply(SERVICES, service('web-svc', { clusterIP: '10.96.0.12', clusterIPs: ['10.96.0.12', 'fd00::12'] }));
    server.apply(SLICES, slice('web-svc', ['10.1.0.1']));
    server.apply(PODS, pod('web-svc-0', '10.1.0.1', { 'config.weft.dev/opaque-ports': '3306' }));
    store = new K8sStore(server.kubeConfig(), {
      kinds: ['Service', 'EndpointSlice', 'Pod'],
      retryMs: 20,
      maxRetryMs: 100,
      onProblem: () => {},
    });
    await store.ready();
    const served = await serveK8sStore(store);
    cp = served.cp;
    client = served.client;
    const c = served.client;
    return {
      server,
      get: (path: string) => new StreamReader(c.Get({ scheme: 'k8s', path, contextToken: '{"ns":"emojivoto"}' })),
      profile: (path: string) =>
        new StreamReader(c.GetProfile({ scheme: 'k8s', path, contextToken: '{"ns":"emojivoto"}' })),
    };
  }

  it('answers both cluster IPs of a dual-stack Service with its endpoints, following slice events', async () => {
    const { server, get, profile } = await start();
    const v4 = get('10.96.0.12:80');
    const v6 = get('[fd00::12]:80');
    for (const stream of [v4, v6]) {
      const snapshot = await stream.next();
      expect(snapshot.add?.metricLabels).toEqual({ namespace: 'emojivoto', service: 'web-svc' });
      expect(snapshot.add?.addrs.map((a) => a.addr)).toEqual([{ ip: '10.1.0.1', port: 8080 }]);
      expect(snapshot.add?.addrs[0]?.tlsIdentity?.name).toBe(WEB_IDENTITY);
    }
    server.apply(SLICES, slice('web-svc', ['10.1.0.1', '10.1.0.2']));
    expect((await v4.next()).add?.addrs.map((a) => a.addr?.ip)).toEqual(['10.1.0.2']);
    expect((await v6.next()).add?.addrs.map((a) => a.addr?.ip)).toEqual(['10.1.0.2']);
    const p = profile('10.96.0.12:80');
    expect((await p.next()).fullyQualifiedName).toBe('web-svc.emojivoto.svc.cluster.local');
    for (const stream of [v4, v6, p]) stream.cancel();
  });

  it("answers a pod's IP on any port with that pod, and its profile says opaque for an annotated port", async () => {
    const { server, get, profile } = await start();
    const stream = get('10.1.0.1:8080');
    const snapshot = await stream.next();
    expect(snapshot.add?.addrs).toHaveLength(1);
    expect(snapshot.add?.addrs[0]?.addr).toEqual({ ip: '10.1.0.1', port: 8080 });
    expect(snapshot.add?.addrs[0]?.tlsIdentity?.name).toBe(WEB_IDENTITY);
    expect(snapshot.add?.addrs[0]?.metricLabels).toMatchObject({ pod: 'web-svc-0', statefulset: 'web' });

    // A finished Job's pod that had the address before does not take it back.
    server.apply(PODS, { ...pod('job-0', '10.1.0.1'), status: { phase: 'Failed', podIP: '10.1.0.1' } });
    await eventually(() => store?.state.get('Pod', 'emojivoto', 'job-0') !== undefined);
    const again = get('10.1.0.1:8080');
    expect((await again.next()).add?.addrs[0]?.metricLabels).toMatchObject({ pod: 'web-svc-0' });
    again.cancel();

    const opaque = profile('10.1.0.1:3306');
    const p = await opaque.next();
    expect(p.opaqueProtocol).toBe(true);
    expect(p.endpoint?.addr).toEqual({ ip: '10.1.0.1', port: 3306 });
    expect(p.endpoint?.protocolHint?.protocol).toBe('opaque');

    // The pod and its slice entry go: the address names nothing any more.
    server.apply(SLICES, slice('web-svc', []));
    server.remove(PODS, 'emojivoto', 'web-svc-0');
    let last = await stream.next();
    while (!last.noEndpoints) last = await stream.next();
    expect(last.noEndpoints).toEqual({ exists: false });
    const gone = await opaque.next();
    expect(gone.endpoint).toBeNull();
    expect(gone.opaqueProtocol).toBe(false);
    stream.cancel();
    opaque.cancel();
  });

  it('keeps serving when the API reports a pod at a zoned IPv6 address, which is no address of the mesh', async () => {
    const { server, get } = await start();
    server.apply(PODS, pod('odd-0', 'fe80::1%eth0'));
    const odd = get('[fe80::1%eth0]:8080');
    expect((await odd.failure()).details).toMatch(/WEFT_CP_INVALID_AUTHORITY/);
    const stream = get('10.96.0.12:80');
    expect((await stream.next()).add?.addrs.map((a) => a.addr?.ip)).toEqual(['10.1.0.1']);
    server.apply(SLICES, slice('web-svc', ['10.1.0.1', '10.1.0.2']));
    expect((await stream.next()).add?.addrs.map((a) => a.addr?.ip)).toEqual(['10.1.0.2']);
    stream.cancel();
  });

  it('moves a stream on an unknown address to the Service once the API gives it that cluster IP', async () => {
    const { server, get } = await start();
    server.apply(SERVICES, service('vote-svc', { clusterIP: 'None' }));
    server.apply(SLICES, slice('vote-svc', ['10.1.0.9']));
    const stream = get('10.96.0.40:80');
    expect((await stream.next()).noEndpoints).toEqual({ exists: false });
    server.apply(SERVICES, service('vote-svc', { clusterIP: '10.96.0.40' }));
    const added = await stream.next();
    expect(added.add?.metricLabels).toEqual({ namespace: 'emojivoto', service: 'vote-svc' });
    expect(added.add?.addrs.map((a) => a.addr)).toEqual([{ ip: '10.1.0.9', port: 8080 }]);
    stream.cancel();
  });
});
