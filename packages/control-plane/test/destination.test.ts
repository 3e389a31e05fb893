import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, LocalPlane } from './support/local-plane.ts';

const SERVICES = `
apiVersion: v1
kind: Service
metadata: { name: web-svc, namespace: emojivoto }
spec:
  ports: [{ name: http, port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: empty-svc, namespace: emojivoto }
spec:
  ports: [{ name: http, port: 80 }]
`;

const PROFILE = (timeout: string) => `
apiVersion: weft.dev/v1alpha2
kind: ServiceProfile
metadata: { name: web-svc.emojivoto.svc.cluster.local, namespace: emojivoto }
spec:
  routes:
    - name: GET /api/list
      condition: { method: GET, pathRegex: /api/list }
      isRetryable: true
      timeout: ${timeout}
      responseClasses:
        - condition: { status: { min: 500, max: 599 } }
          isFailure: true
`;

const web = (pod: string, port: number, meshed = true) => ({
  namespace: 'emojivoto',
  service: 'web-svc',
  pod,
  deployment: 'web',
  serviceAccount: 'web',
  address: { ip: '127.0.0.1', port },
  meshed,
  inboundPort: 4143,
});

describe('destination over gRPC (local backend)', () => {
  let plane: LocalPlane;
  afterEach(() => plane?.stop());

  it('streams a snapshot, then adds and removes as workloads register and go away', async () => {
    plane = await new LocalPlane().start({ 'services.yaml': SERVICES });
    const first = await plane.register(web('web-1', 9001));

    const get = plane.get('web-svc.emojivoto.svc.cluster.local:80');
    const snapshot = await get.next();
    expect(snapshot.add?.metricLabels).toEqual({ namespace: 'emojivoto', service: 'web-svc' });
    expect(snapshot.add?.addrs).toHaveLength(1);
    const addr = snapshot.add?.addrs[0];
    expect(addr?.addr).toEqual({ ip: '127.0.0.1', port: 9001 });
    expect(addr?.weight).toBe(10000);
    expect(addr?.metricLabels).toMatchObject({ pod: 'web-1', deployment: 'web', serviceaccount: 'web' });
    expect(addr?.tlsIdentity?.name).toBe('web.emojivoto.serviceaccount.identity.weft.cluster.local');
    expect(addr?.tlsIdentity?.serverName).toBe(addr?.tlsIdentity?.name);
    expect(addr?.protocolHint?.protocol).toBe('h2');
    expect(addr?.protocolHint?.inboundPort).toBe(4143);

    const second = await plane.register(web('web-2', 9002, false));
    const added = await get.next();
    expect(added.add?.addrs.map((a) => a.addr?.port)).toEqual([9002]);
    // An unmeshed endpoint carries no identity, so the client must not attempt mTLS to it.
    expect(added.add?.addrs[0]?.tlsIdentity).toBeNull();

    first.cancel();
    expect((await get.next()).remove?.addrs).toEqual([{ ip: '127.0.0.1', port: 9001 }]);
    second.cancel();
    expect((await get.next()).remove?.addrs).toEqual([{ ip: '127.0.0.1', port: 9002 }]);
    expect((await get.next()).noEndpoints).toEqual({ exists: true });
    get.cancel();
  });

  it('hints opaque for ports a Server declares opaque, and updates the hint when the Server changes', async () => {
    plane = await new LocalPlane().start({ 'services.yaml': SERVICES });
    await plane.register({ ...web('web-1', 9001), labels: { app: 'web' } });
    const get = plane.get('web-svc.emojivoto.svc.cluster.local:80');
    expect((await get.next()).add?.addrs[0]?.protocolHint?.protocol).toBe('h2');
    await plane.write(
      'server.yaml',
      'apiVersion: policy.weft.dev/v1beta3\nkind: Server\nmetadata: { name: web, namespace: emojivoto }\nspec: { podSelector: { matchLabels: { app: web } }, port: 9001, proxyProtocol: opaque }\n',
    );
    const update = await get.next();
    expect(update.add?.addrs[0]?.addr?.port).toBe(9001);
    expect(update.add?.addrs[0]?.protocolHint).toMatchObject({ protocol: 'opaque', inboundPort: 4143 });
    get.cancel();
  });

  it('accepts the short authority forms of the local runtime', async () => {
    plane = await new LocalPlane().start({ 'services.yaml': SERVICES });
    await plane.register(web('web-1', 9001));
    for (const path of ['web-svc.emojivoto:80', 'web-svc:80', 'web-svc.emojivoto.svc:80']) {
      const get = plane.get(path);
      expect((await get.next()).add?.addrs[0]?.addr?.port).toBe(9001);
      get.cancel();
    }
  });

  it('answers NOT_FOUND for an unknown service, INVALID_ARGUMENT for an unreadable path, and no_endpoints{exists} for one without endpoints', async () => {
    plane = await new LocalPlane().start({ 'services.yaml': SERVICES });
    const missing = plane.get('nope-svc.emojivoto.svc.cluster.local:80');
    expect((await missing.failure()).code).toBe(status.NOT_FOUND);

    const ip = plane.get('10.0.0:80');
    expect((await ip.failure()).code).toBe(status.INVALID_ARGUMENT);

    const empty = plane.get('empty-svc.emojivoto.svc.cluster.local:80');
    expect((await empty.next()).noEndpoints).toEqual({ exists: true });
    empty.cancel();
  });

  it('sends a new profile when a YAML file in the folder changes', async () => {
    plane = await new LocalPlane().start({ 'services.yaml': SERVICES, 'profile.yaml': PROFILE('300ms') });
    const profile = plane.profile('web-svc.emojivoto.svc.cluster.local:80');
    const first = await profile.next();
    expect(first.fullyQualifiedName).toBe('web-svc.emojivoto.svc.cluster.local');
    expect(first.routes).toHaveLength(1);
    expect(first.routes[0]?.metricsLabels).toEqual({ route: 'GET /api/list' });
    expect(first.routes[0]?.isRetryable).toBe(true);
    expect(first.routes[0]?.timeout).toEqual({ seconds: '0', nanos: 300_000_000 });
    expect(first.routes[0]?.condition).toEqual({
      all: {
        matches: [
          { method: 'GET', match: 'method' },
          { path: { regex: '/api/list' }, match: 'path' },
        ],
      },
      match: 'all',
    });
    expect(first.routes[0]?.responseClasses[0]).toMatchObject({
      isFailure: true,
      condition: { status: { min: 500, max: 599 } },
    });
    expect(first.retryBudget).toEqual({
      retryRatio: expect.closeTo(0.2),
      minRetriesPerSecond: 10,
      ttl: { seconds: '10', nanos: 0 },
    });

    await plane.write('profile.yaml', PROFILE('2s'));
    const second = await profile.next();
    expect(second.routes[0]?.timeout).toEqual({ seconds: '2', nanos: 0 });
    profile.cancel();
  });

  it('reports an invalid YAML file by name and keeps its last good state', async () => {
    plane = await new LocalPlane().start({ 'services.yaml': SERVICES, 'profile.yaml': PROFILE('300ms') });
    const profile = plane.profile('web-svc.emojivoto.svc.cluster.local:80');
    expect((await profile.next()).routes[0]?.timeout?.nanos).toBe(300_000_000);

    await plane.write('profile.yaml', `${PROFILE('1s')}\n  broken: [unclosed\n`);
    await eventually(() => plane.problems.length > 0);
    expect(plane.problems[0]?.source).toBe('profile.yaml');
    expect(plane.problems[0]?.message).toMatch(/WEFT_CP_INVALID_YAML: .*profile\.yaml at line \d+/);
    await plane.write('services.yaml', `${SERVICES}\n  bogus: {`);
    await eventually(() => plane.problems.length > 1);
    // Both files keep their last good content: the service still resolves and the profile is unchanged.
    expect(await profile.quiet(200)).toBe(true);
    const get = plane.get('web-svc.emojivoto.svc.cluster.local:80');
    expect((await get.next()).noEndpoints).toEqual({ exists: true });
    get.cancel();

    const schema = PROFILE('soon');
    await plane.write('profile.yaml', schema);
    await eventually(() => plane.problems.some((p) => /spec\.routes\[0\]\.timeout/.test(p.message)));
    const ready = await fetch(`http://127.0.0.1:${plane.cp.adminPort}/ready`);
    expect(ready.status).toBe(200);
    expect(JSON.stringify(await ready.json())).toContain('profile.yaml');

    await plane.write('profile.yaml', PROFILE('5s'));
    expect((await profile.next()).routes[0]?.timeout).toEqual({ seconds: '5', nanos: 0 });
    profile.cancel();
  });

  it('rejects a registration with a clear error and keeps serving', async () => {
    plane = await new LocalPlane().start({ 'services.yaml': SERVICES });
    const bad = await plane.register({ namespace: 'Emoji Voto', pod: 'x' }).catch((err) => err);
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.details).toMatch(/WEFT_CP_INVALID_REGISTRATION: namespace "Emoji Voto"/);
    const first = await plane.register(web('web-1', 9001));
    const twice = await plane.register(web('web-1', 9002)).catch((err) => err);
    expect(twice.code).toBe(status.ALREADY_EXISTS);
    expect(twice.details).toMatch(/WEFT_CP_DUPLICATE_REGISTRATION: pod emojivoto\/web-1/);
    const get = plane.get('web-svc.emojivoto.svc.cluster.local:80');
    expect((await get.next()).add?.addrs.map((a) => a.addr?.port)).toEqual([9001]);
    first.cancel();
    get.cancel();
  });

  it('drops what a deleted file declared', async () => {
    plane = await new LocalPlane().start({ 'services.yaml': SERVICES, 'profile.yaml': PROFILE('300ms') });
    const profile = plane.profile('web-svc.emojivoto.svc.cluster.local:80');
    expect((await profile.next()).routes).toHaveLength(1);
    await rm(join(plane.dir, 'profile.yaml'));
    expect((await profile.next()).routes).toEqual([]);
    profile.cancel();
  });
});
