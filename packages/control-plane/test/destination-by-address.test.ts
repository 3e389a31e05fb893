import { afterEach, describe, expect, it } from 'vitest';
import { eventually, LocalPlane } from './support/local-plane.ts';

// Get and GetProfile for the IP:port a transparently intercepted connection
// was going to, over real gRPC against the local store: a Service's cluster
// IP, a pod's IP, and an address nothing in the mesh holds.

const SERVICES = `
apiVersion: v1
kind: Service
metadata: { name: web-svc, namespace: emojivoto }
spec:
  clusterIP: 10.96.0.12
  ports: [{ name: http, port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: emoji-svc, namespace: emojivoto }
spec:
  clusterIP: 10.96.0.13
  clusterIPs: [10.96.0.13, "fd00::13"]
  ports: [{ name: grpc, port: 8080 }]
`;

const WEB_PROFILE = `
apiVersion: weft.dev/v1alpha2
kind: ServiceProfile
metadata: { name: web-svc.emojivoto.svc.cluster.local, namespace: emojivoto }
spec:
  routes:
    - name: GET /api/list
      condition: { method: GET, pathRegex: /api/list }
`;

const WEB_IDENTITY = 'web.emojivoto.serviceaccount.identity.weft.cluster.local';

const workload = (service: string, pod: string, port: number, extra: object = {}) => ({
  namespace: 'emojivoto',
  service,
  pod,
  deployment: service.replace(/-svc$/, ''),
  serviceAccount: service.replace(/-svc$/, ''),
  address: { ip: '127.0.0.1', port },
  meshed: true,
  inboundPort: 4143,
  ...extra,
});

describe('destination by IP:port (local backend)', () => {
  let plane: LocalPlane;
  afterEach(() => plane?.stop());

  it("answers a Service's cluster IP with its endpoints and follows them as they change", async () => {
    plane = await new LocalPlane().start({ 'services.yaml': SERVICES });
    const first = await plane.register(workload('web-svc', 'web-1', 9001));
    const get = plane.get('10.96.0.12:80');
    const snapshot = await get.next();
    expect(snapshot.add?.metricLabels).toEqual({ namespace: 'emojivoto', service: 'web-svc' });
    expect(snapshot.add?.addrs.map((a) => a.addr)).toEqual([{ ip: '127.0.0.1', port: 9001 }]);
    expect(snapshot.add?.addrs[0]?.tlsIdentity?.name).toBe(WEB_IDENTITY);
    expect(snapshot.add?.addrs[0]?.protocolHint?.protocol).toBe('h2');

    const second = await plane.register(workload('web-svc', 'web-2', 9002));
    expect((await get.next()).add?.addrs.map((a) => a.addr?.port)).toEqual([9002]);
    first.cancel();
    expect((await get.next()).remove?.addrs).toEqual([{ ip: '127.0.0.1', port: 9001 }]);
    second.cancel();
    get.cancel();
  });

  it('answers an IPv6 cluster IP, however it is spelt, as its Service', async () => {
    plane = await new LocalPlane().start({ 'services.yaml': SERVICES });
    const emoji = await plane.register(workload('emoji-svc', 'emoji-1', 9101));
    const get = plane.get('[FD00:0::13]:8080');
    const snapshot = await get.next();
    expect(snapshot.add?.metricLabels).toEqual({ namespace: 'emojivoto', service: 'emoji-svc' });
    expect(snapshot.add?.addrs.map((a) => a.addr?.port)).toEqual([9101]);
    const profile = plane.profile('[fd00::13]:8080');
    expect((await profile.next()).fullyQualifiedName).toBe('emoji-svc.emojivoto.svc.cluster.local');
    get.cancel();
    profile.cancel();
    emoji.cancel();
  });

  it("names the Service's routes in the profile of its cluster IP", async () => {
    plane = await new LocalPlane().start({ 'services.yaml': SERVICES, 'profile.yaml': WEB_PROFILE });
    const profile = plane.profile('10.96.0.12:80');
    const p = await profile.next();
    expect(p.fullyQualifiedName).toBe('web-svc.emojivoto.svc.cluster.local');
    expect(p.routes.map((r) => r.metricsLabels)).toEqual([{ route: 'GET /api/list' }]);
    expect(p.endpoint).toBeNull();
    profile.cancel();
  });

  it("answers a pod's IP with that one pod, told apart by port from the pods sharing its address", async () => {
    plane = await new LocalPlane().start({ 'services.yaml': SERVICES });
    const web = await plane.register(workload('web-svc', 'web-1', 9001));
    const emoji = await plane.register(workload('emoji-svc', 'emoji-1', 9101));
    const get = plane.get('127.0.0.1:9001');
    const snapshot = await get.next();
    expect(snapshot.add?.metricLabels).toEqual({ namespace: 'emojivoto' });
    expect(snapshot.add?.addrs).toHaveLength(1);
    const addr = snapshot.add?.addrs[0];
    expect(addr?.addr).toEqual({ ip: '127.0.0.1', port: 9001 });
    expect(addr?.tlsIdentity?.name).toBe(WEB_IDENTITY);
    expect(addr?.metricLabels).toMatchObject({ pod: 'web-1', deployment: 'web', serviceaccount: 'web' });
    expect(addr?.protocolHint).toMatchObject({ protocol: 'h2', inboundPort: 4143 });

    // The pod goes away: its address now names nothing, and the proxy is told to forward it as it is.
    web.cancel();
    expect((await get.next()).remove?.addrs).toEqual([{ ip: '127.0.0.1', port: 9001 }]);
    expect((await get.next()).noEndpoints).toEqual({ exists: false });
    get.cancel();
    emoji.cancel();
  });

  it("puts the pod in the profile of its address, and says opaque for the pod's opaque port", async () => {
    plane = await new LocalPlane().start({ 'services.yaml': SERVICES });
    const annotations = { 'config.weft.dev/opaque-ports': '9001' };
    const opaque = await plane.register(workload('web-svc', 'web-1', 9001, { annotations }));
    const plain = await plane.register(workload('web-svc', 'web-2', 9002));

    const opaqueProfile = plane.profile('127.0.0.1:9001');
    const p = await opaqueProfile.next();
    expect(p.opaqueProtocol).toBe(true);
    expect(p.fullyQualifiedName).toBe('');
    expect(p.routes).toEqual([]);
    expect(p.endpoint?.addr).toEqual({ ip: '127.0.0.1', port: 9001 });
    expect(p.endpoint?.tlsIdentity?.name).toBe(WEB_IDENTITY);
    expect(p.endpoint?.protocolHint).toMatchObject({ protocol: 'opaque', inboundPort: 4143 });
    expect(p.endpoint?.metricLabels).toMatchObject({ namespace: 'emojivoto', pod: 'web-1' });

    const plainProfile = plane.profile('127.0.0.1:9002');
    const q = await plainProfile.next();
    expect(q.opaqueProtocol).toBe(false);
    expect(q.endpoint?.metricLabels).toMatchObject({ pod: 'web-2' });
    expect(q.endpoint?.protocolHint?.protocol).toBe('h2');
    opaqueProfile.cancel();
    plainProfile.cancel();
    opaque.cancel();
    plain.cancel();
  });

  it('answers an unknown IP as a service that does not exist, then as the Service that takes it as cluster IP', async () => {
    plane = await new LocalPlane().start({ 'services.yaml': SERVICES, 'profile.yaml': WEB_PROFILE });
    const web = await plane.register(workload('web-svc', 'web-1', 9001));
    const get = plane.get('10.96.0.99:80');
    expect((await get.next()).noEndpoints).toEqual({ exists: false });
    const profile = plane.profile('10.96.0.99:80');
    const empty = await profile.next();
    expect(empty.fullyQualifiedName).toBe('');
    expect(empty.routes).toEqual([]);
    expect(empty.dstOverrides).toEqual([]);
    expect(empty.endpoint).toBeNull();
    expect(empty.opaqueProtocol).toBe(false);

    await plane.write('services.yaml', SERVICES.replace('clusterIP: 10.96.0.12', 'clusterIP: 10.96.0.99'));
    const added = await get.next();
    expect(added.add?.metricLabels).toEqual({ namespace: 'emojivoto', service: 'web-svc' });
    expect(added.add?.addrs.map((a) => a.addr?.port)).toEqual([9001]);
    const named = await profile.next();
    expect(named.fullyQualifiedName).toBe('web-svc.emojivoto.svc.cluster.local');
    expect(named.routes.map((r) => r.metricsLabels)).toEqual([{ route: 'GET /api/list' }]);
    get.cancel();
    profile.cancel();
    web.cancel();
  });

  it('refuses a Service whose cluster IP is not an address, naming the field, and keeps the last good one', async () => {
    plane = await new LocalPlane().start({ 'services.yaml': SERVICES });
    const web = await plane.register(workload('web-svc', 'web-1', 9001));
    await plane.write('services.yaml', SERVICES.replace('clusterIP: 10.96.0.12', 'clusterIP: 10.96.0.300'));
    await eventually(() => plane.problems.some((p) => /spec\.clusterIP: expected an IP address/.test(p.message)));
    const get = plane.get('10.96.0.12:80');
    expect((await get.next()).add?.addrs.map((a) => a.addr?.port)).toEqual([9001]);
    get.cancel();
    web.cancel();
  });
  it("answers the virtual IPs `weft dev --pods` gives Services, with each pod's address on each port's targetPort", async () => {
    const TWO_PORTS = `---
apiVersion: v1
kind: Service
metadata: { name: two-ports, namespace: shop }
spec:
  ports: [{ name: http, port: 80, targetPort: 8080 }, { name: admin, port: 81, targetPort: 9090 }]
`;
    plane = await new LocalPlane().start(
      { 'services.yaml': SERVICES + TWO_PORTS },
      // web-svc's file declares 10.96.0.12, which stays: the runner's address is for Services without one.
      { WEFT_CP_LOCAL_SERVICE_IPS: 'shop/two-ports=10.7.128.1,emojivoto/web-svc=10.7.128.9' },
    );
    const pod = await plane.register({
      ...workload('web-svc', 'app-0', 0),
      namespace: 'shop',
      service: 'two-ports',
      address: { ip: '10.7.0.2', port: 0 },
    });
    for (const [port, target] of [
      [80, 8080],
      [81, 9090],
    ] as const) {
      const get = plane.get(`10.7.128.1:${port}`);
      const snapshot = await get.next();
      expect(snapshot.add?.metricLabels).toEqual({ namespace: 'shop', service: 'two-ports' });
      expect(snapshot.add?.addrs.map((a) => a.addr)).toEqual([{ ip: '10.7.0.2', port: target }]);
      get.cancel();
      // The pod's own address names the pod on either port.
      const direct = plane.get(`10.7.0.2:${target}`);
      expect((await direct.next()).add?.addrs[0]?.metricLabels).toMatchObject({ pod: 'app-0' });
      direct.cancel();
    }
    // web-svc is still found at the address its file declares (it has no pod here), and not at the runner's.
    const declared = plane.get('10.96.0.12:80');
    expect((await declared.next()).noEndpoints).toEqual({ exists: true });
    declared.cancel();
    const ignored = plane.get('10.7.128.9:80');
    expect((await ignored.next()).noEndpoints).toEqual({ exists: false });
    ignored.cancel();
    pod.cancel();
  });

  it('refuses to start with a Service address that is not ns/name=IP, naming the entry', async () => {
    await expect(
      new LocalPlane().start({ 'services.yaml': SERVICES }, { WEFT_CP_LOCAL_SERVICE_IPS: 'shop/two-ports=10.7.128' }),
    ).rejects.toThrow(/WEFT_CP_LOCAL_SERVICE_IPS: expected ns\/name=IP, got "shop\/two-ports=10.7.128"/);
  });
});
