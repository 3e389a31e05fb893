import type { DestinationClient } from '@weft/api/gen/weft/destination/Destination.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningControlPlane } from '../src/control-plane.ts';
import type { ResourceKind } from '../src/resources/types.ts';
import { K8sStore } from '../src/store/k8s/k8s-store.ts';
import type { ChangeSet } from '../src/store/state.ts';
import { FakeApiServer } from './support/fake-api-server.ts';
import { serveK8sStore } from './support/k8s-plane.ts';
import { eventually } from './support/local-plane.ts';
import { StreamReader } from './support/stream.ts';

const SERVICES = '/api/v1/services';
const SLICES = '/apis/discovery.k8s.io/v1/endpointslices';
const PODS = '/api/v1/pods';
const PROFILES = '/apis/weft.dev/v1alpha2/serviceprofiles';

const service = (name: string) => ({
  metadata: { name, namespace: 'emojivoto' },
  spec: { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
});
const slice = (name: string, service: string, ips: string[]) => ({
  metadata: { name, namespace: 'emojivoto', labels: { 'kubernetes.io/service-name': service } },
  ports: [{ name: 'http', port: 8080 }],
  endpoints: ips.map((ip, i) => ({
    addresses: [ip],
    conditions: { ready: true },
    targetRef: { kind: 'Pod', name: `${service}-${i}` },
  })),
});
const pod = (name: string, ip: string) => ({
  metadata: {
    name,
    namespace: 'emojivoto',
    labels: { 'weft.dev/control-plane-ns': 'weft', 'pod-template-hash': '5d8f7' },
    ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5d8f7', controller: true }],
  },
  spec: { serviceAccountName: 'web', containers: [{ name: 'web' }, { name: 'weft-proxy' }] },
  status: { podIP: ip },
});

describe('Kubernetes backend against the API server wire protocol', () => {
  let api: FakeApiServer;
  let store: K8sStore;
  let cp: RunningControlPlane | undefined;
  let client: DestinationClient | undefined;

  afterEach(async () => {
    client?.close();
    await cp?.close();
    await store?.close();
    await api?.stop();
    cp = undefined;
    client = undefined;
  });

  async function setup(kinds: ResourceKind[] = ['Service', 'EndpointSlice', 'Pod']) {
    api = new FakeApiServer();
    await api.start();
    api.serve(PROFILES);
    api.apply(SERVICES, service('web-svc'));
    api.apply(SERVICES, service('emoji-svc'));
    api.apply(SERVICES, service('voting-svc'));
    api.apply(SLICES, slice('web-svc-abc', 'web-svc', ['10.1.0.1']));
    api.apply(PODS, pod('web-svc-0', '10.1.0.1'));
    store = new K8sStore(api.kubeConfig(), {
      kinds,
      retryMs: 20,
      maxRetryMs: 100,
      onProblem: () => {},
    });
    await store.ready();
  }

  async function serve() {
    const served = await serveK8sStore(store);
    cp = served.cp;
    client = served.client;
    const c = served.client;
    return (path: string) => new StreamReader(c.Get({ scheme: 'k8s', path, contextToken: '' }));
  }

  it('streams a ServiceProfile applied through the API into GetProfile', async () => {
    await setup(['Service', 'ServiceProfile']);
    await serve();
    const profile = new StreamReader(
      (client as DestinationClient).GetProfile({
        scheme: 'k8s',
        path: 'web-svc.emojivoto.svc.cluster.local:80',
        contextToken: '',
      }),
    );
    expect((await profile.next()).routes).toEqual([]);
    api.apply(PROFILES, {
      metadata: { name: 'web-svc.emojivoto.svc.cluster.local', namespace: 'emojivoto' },
      spec: { routes: [{ name: 'list', condition: { method: 'GET', pathRegex: '/api/list' }, timeout: '250ms' }] },
    });
    const updated = await profile.next();
    expect(updated.routes[0]?.metricsLabels).toEqual({ route: 'list' });
    expect(updated.routes[0]?.timeout).toEqual({ seconds: '0', nanos: 250_000_000 });
    profile.cancel();
  });

  it('reads HTTPLocalRateLimitPolicies from the policy group', async () => {
    const LIMITS = '/apis/policy.weft.dev/v1alpha1/httplocalratelimitpolicies';
    api = new FakeApiServer();
    await api.start();
    api.serve(LIMITS);
    store = new K8sStore(api.kubeConfig(), {
      kinds: ['HTTPLocalRateLimitPolicy'],
      retryMs: 20,
      maxRetryMs: 100,
      onProblem: () => {},
    });
    await store.ready();
    api.apply(LIMITS, {
      metadata: { name: 'web-limit', namespace: 'emojivoto' },
      spec: {
        targetRef: { group: 'policy.weft.dev', kind: 'Server', name: 'web-http' },
        total: { requestsPerSecond: 100 },
        overrides: [{ requestsPerSecond: 10, clientRefs: [{ kind: 'ServiceAccount', name: 'vote-bot' }] }],
      },
    });
    await eventually(() => store.state.list('HTTPLocalRateLimitPolicy', 'emojivoto').length === 1);
    const [limit] = store.state.list('HTTPLocalRateLimitPolicy', 'emojivoto');
    expect([limit?.totalRps, limit?.identityRps, limit?.overrides[0]?.rps]).toEqual([100, undefined, 10]);
  });

  it('lists every page with the kubeconfig credentials, then streams watch events into Get', async () => {
    await setup();
    // Three services with a page size of 2: the store must follow `continue`.
    expect(store.state.count('Service')).toBe(3);
    const lists = api.requests.filter((r) => r.path === SERVICES && !r.query.has('watch'));
    expect(lists.map((r) => r.query.get('continue') ?? '')).toEqual(['', '2']);
    expect(api.requests.every((r) => r.auth === 'Bearer test-token')).toBe(true);

    const get = await serve();
    const stream = get('web-svc.emojivoto.svc.cluster.local:80');
    const snapshot = await stream.next();
    expect(snapshot.add?.addrs[0]?.addr).toEqual({ ip: '10.1.0.1', port: 8080 });
    expect(snapshot.add?.addrs[0]?.metricLabels).toMatchObject({
      pod: 'web-svc-0',
      deployment: 'web',
      serviceaccount: 'web',
    });
    expect(snapshot.add?.addrs[0]?.tlsIdentity?.name).toBe('web.emojivoto.serviceaccount.identity.weft.cluster.local');

    api.apply(SLICES, slice('web-svc-abc', 'web-svc', ['10.1.0.1', '10.1.0.2']));
    expect((await stream.next()).add?.addrs.map((a) => a.addr?.ip)).toEqual(['10.1.0.2']);
    api.remove(SLICES, 'emojivoto', 'web-svc-abc');
    expect((await stream.next()).remove?.addrs.map((a) => a.ip).sort()).toEqual(['10.1.0.1', '10.1.0.2']);
    expect((await stream.next()).noEndpoints).toEqual({ exists: true });
    api.remove(SERVICES, 'emojivoto', 'web-svc');
    expect((await stream.next()).noEndpoints).toEqual({ exists: false });
    stream.cancel();
  });

  it('holds Get calls made before the first list completes instead of answering NOT_FOUND', async () => {
    api = new FakeApiServer();
    await api.start();
    api.apply(SERVICES, service('web-svc'));
    api.apply(SLICES, slice('web-svc-abc', 'web-svc', ['10.1.0.1']));
    let release = () => {};
    api.listsHeld = new Promise<void>((r) => {
      release = r;
    });
    store = new K8sStore(api.kubeConfig(), { kinds: ['Service', 'EndpointSlice'], retryMs: 20, onProblem: () => {} });
    const get = await serve();
    const stream = get('web-svc.emojivoto.svc.cluster.local:80');
    await eventually(() => api.requests.length >= 2);
    expect(await stream.quiet(100)).toBe(true);
    release();
    expect((await stream.next()).add?.addrs[0]?.addr).toEqual({ ip: '10.1.0.1', port: 8080 });
    stream.cancel();
  });

  it('resumes a dropped watch from the last bookmark without relisting', async () => {
    await setup();
    await eventually(() => api.watchCount(SLICES) === 1);
    api.apply(SLICES, slice('emoji-svc-1', 'emoji-svc', ['10.2.0.1']));
    await eventually(() => store.state.get('EndpointSlice', 'emojivoto', 'emoji-svc-1') !== undefined);
    // Other kinds move the shared version on; the bookmark carries it to the slice watch.
    const events = store.stats().events;
    api.apply(SERVICES, service('late-svc'));
    api.bookmark(SLICES);
    const bookmarkRv = api.version;
    // Both have reached the store: the late Service, and after it the bookmark, the only other event.
    await eventually(
      () => store.state.get('Service', 'emojivoto', 'late-svc') !== undefined && store.stats().events >= events + 2,
    );
    const listsBefore = store.stats().lists;

    api.dropConnections();
    // A change made while disconnected is replayed when the watch resumes.
    api.apply(SLICES, slice('voting-svc-1', 'voting-svc', ['10.3.0.1']));
    await eventually(() => store.state.get('EndpointSlice', 'emojivoto', 'voting-svc-1') !== undefined);
    const resumed = api.requests.filter((r) => r.path === SLICES && r.query.get('watch')).at(-1);
    expect(resumed?.query.get('resourceVersion')).toBe(bookmarkRv);
    expect(resumed?.query.get('allowWatchBookmarks')).toBe('true');
    expect(store.stats().lists).toBe(listsBefore);
  });

  it('relists after 410 Gone and applies the relist as one atomic batch', async () => {
    await setup();
    await eventually(() => api.watchCount(SLICES) === 1);
    const batches: ChangeSet[] = [];
    store.subscribe((c) => batches.push(c));

    // While the store is not told (events lost), the world changes; then the watch expires.
    api.removeSilently(SLICES, 'emojivoto', 'web-svc-abc');
    api.applySilently(SLICES, slice('web-svc-def', 'web-svc', ['10.1.0.9']));
    api.compact(SLICES);
    api.expireWatches(SLICES);
    await eventually(() => store.state.get('EndpointSlice', 'emojivoto', 'web-svc-def') !== undefined);

    expect(store.state.get('EndpointSlice', 'emojivoto', 'web-svc-abc')).toBeUndefined();
    // One batch holds both the removal and the addition: no reader saw web-svc with zero slices in between.
    expect(batches).toHaveLength(1);
    expect([...(batches[0]?.keys.get('EndpointSlice') ?? [])].sort()).toEqual([
      'emojivoto/web-svc-abc',
      'emojivoto/web-svc-def',
    ]);
  });

  it('relists when the watch request itself answers HTTP 410', async () => {
    await setup();
    await eventually(() => api.watchCount(PODS) === 1);
    const lists = store.stats().lists;
    api.rejectNextWatchOn = PODS;
    api.applySilently(PODS, pod('web-svc-7', '10.1.0.7'));
    api.dropConnections();
    await eventually(() => store.state.get('Pod', 'emojivoto', 'web-svc-7') !== undefined);
    expect(store.stats().lists).toBeGreaterThan(lists);
  });

  it('keeps the last good copy of an object the API sends in a shape it cannot use', async () => {
    await setup();
    await eventually(() => api.watchCount(SERVICES) === 1);
    // Lines that are not events, and events with no object, are skipped.
    api.sendRaw(SERVICES, 'not json at all\n{"type":"ADDED","object":null}\n{"type":"MODIFIED"}\n[1,2,3]\n');
    api.apply(SERVICES, {
      metadata: { name: 'web-svc', namespace: 'emojivoto' },
      spec: { ports: [{ port: 'eighty' }] },
    });
    api.apply(SERVICES, service('late-svc'));
    await eventually(() => store.state.get('Service', 'emojivoto', 'late-svc') !== undefined);
    expect(store.state.get('Service', 'emojivoto', 'web-svc')?.ports[0]?.port).toBe(80);
    expect(store.problems().some((p) => /spec\.ports\[0\]\.port/.test(p.message))).toBe(true);
    // Fixing the object clears the problem.
    api.apply(SERVICES, { ...service('web-svc'), spec: { ports: [{ name: 'http', port: 81 }] } });
    await eventually(() => store.state.get('Service', 'emojivoto', 'web-svc')?.ports[0]?.port === 81);
    expect(store.problems()).toEqual([]);
  });
});
