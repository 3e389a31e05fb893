import { status } from '@grpc/grpc-js';
import type { Server__Output } from '@weft/api/gen/weft/policy/Server.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalPlane } from './support/local-plane.ts';

const ALL = [
  { net: '0.0.0.0/0', except: [] },
  { net: '::/0', except: [] },
];

const voting = (annotations: Record<string, string> = {}) => ({
  namespace: 'emojivoto',
  pod: 'voting-1',
  deployment: 'voting',
  serviceAccount: 'voting',
  labels: { app: 'voting-svc' },
  annotations,
  meshed: true,
});

const SERVER = `
apiVersion: policy.weft.dev/v1beta3
kind: Server
metadata: { name: voting-grpc, namespace: emojivoto }
spec:
  podSelector: { matchLabels: { app: voting-svc } }
  port: 8080
  proxyProtocol: gRPC
`;

const AUTHZ = `
apiVersion: policy.weft.dev/v1alpha1
kind: AuthorizationPolicy
metadata: { name: voting-from-web, namespace: emojivoto }
spec:
  targetRef: { group: policy.weft.dev, kind: Server, name: voting-grpc }
  requiredAuthenticationRefs:
    - { group: policy.weft.dev, kind: MeshTLSAuthentication, name: web-only }
    - { group: policy.weft.dev, kind: NetworkAuthentication, name: pod-network }
---
apiVersion: policy.weft.dev/v1alpha1
kind: MeshTLSAuthentication
metadata: { name: web-only, namespace: emojivoto }
spec:
  identities:
    - web.emojivoto.serviceaccount.identity.weft.cluster.local
    - "*.admin.serviceaccount.identity.weft.cluster.local"
---
apiVersion: policy.weft.dev/v1alpha1
kind: NetworkAuthentication
metadata: { name: pod-network, namespace: emojivoto }
spec:
  networks:
    - cidr: 10.0.0.0/8
      except: [10.9.0.0/16]
`;

const authn = (s: Server__Output, i = 0) => s.authorizations[i]?.authentication;

describe('inbound policy over gRPC', () => {
  let plane: LocalPlane;
  afterEach(() => plane?.stop());

  it('serves each default policy, from the config or the pod annotation', async () => {
    const expected: Record<string, (s: Server__Output) => void> = {
      'all-unauthenticated': (s) => {
        expect(s.authorizations).toHaveLength(1);
        expect(s.authorizations[0]?.networks).toEqual(ALL);
        expect(authn(s)?.permit).toBe('unauthenticated');
      },
      'all-authenticated': (s) => {
        expect(s.authorizations[0]?.networks).toEqual(ALL);
        expect(authn(s)?.meshTls?.identities).toEqual({ identities: [], suffixes: [''] });
      },
      'cluster-unauthenticated': (s) => {
        expect(s.authorizations[0]?.networks.map((n) => n.net)).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
        expect(authn(s)?.permit).toBe('unauthenticated');
      },
      'cluster-authenticated': (s) => {
        expect(s.authorizations[0]?.networks.map((n) => n.net)).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
        expect(authn(s)?.meshTls?.identities?.suffixes).toEqual(['']);
      },
      deny: (s) => expect(s.authorizations).toEqual([]),
      audit: (s) => {
        expect(s.authorizations[0]?.audit).toBe(true);
        expect(authn(s)?.permit).toBe('unauthenticated');
      },
    };
    plane = await new LocalPlane().start(
      {},
      { WEFT_CP_DEFAULT_INBOUND_POLICY: 'deny', WEFT_CP_CLUSTER_NETWORKS: '10.0.0.0/8,192.168.0.0/16' },
    );
    const configDefault = plane.watchPort('emojivoto', 'nobody', 8080);
    const first = await configDefault.next();
    expect(first.labels).toEqual({ group: '', kind: 'default', name: 'deny' });
    expected.deny?.(first);
    configDefault.cancel();

    for (const [name, check] of Object.entries(expected)) {
      const reg = await plane.register({
        ...voting({ 'config.weft.dev/default-inbound-policy': name }),
        pod: `p-${name}`,
      });
      const watch = plane.watchPort('emojivoto', `p-${name}`, 8080);
      const policy = await watch.next();
      expect(policy.labels.name).toBe(name);
      expect(policy.protocol?.kind).toBe('detect');
      expect(policy.protocol?.detect?.timeout).toEqual({ seconds: '10', nanos: 0 });
      check(policy);
      watch.cancel();
      reg.cancel();
    }
  });

  it('grants what a Server’s AuthorizationPolicy requires through MeshTLS and Network authentications', async () => {
    plane = await new LocalPlane().start({ 'server.yaml': SERVER, 'authz.yaml': AUTHZ });
    await plane.register(voting());
    const watch = plane.watchPort('emojivoto', 'voting-1', 8080);
    const policy = await watch.next();
    expect(policy.protocol?.kind).toBe('grpc');
    expect(policy.labels).toEqual({ group: 'policy.weft.dev', kind: 'server', name: 'voting-grpc' });
    expect(policy.authorizations).toHaveLength(1);
    const authz = policy.authorizations[0];
    expect(authz?.labels).toEqual({ group: 'policy.weft.dev', kind: 'authorizationpolicy', name: 'voting-from-web' });
    expect(authz?.networks).toEqual([{ net: '10.0.0.0/8', except: ['10.9.0.0/16'] }]);
    expect(authz?.authentication?.meshTls?.identities).toEqual({
      identities: ['web.emojivoto.serviceaccount.identity.weft.cluster.local'],
      suffixes: ['admin.serviceaccount.identity.weft.cluster.local'],
    });
    // Another port of the same pod is not selected by the Server: it keeps the default policy.
    const other = plane.watchPort('emojivoto', 'voting-1', 9090);
    expect((await other.next()).labels.kind).toBe('default');
    other.cancel();
    watch.cancel();
  });

  it('streams the new policy when the resources change, and nothing for unrelated edits', async () => {
    plane = await new LocalPlane().start({ 'server.yaml': SERVER });
    await plane.register(voting());
    const watch = plane.watchPort('emojivoto', 'voting-1', 8080);
    // A Server with no AuthorizationPolicy denies everything.
    expect((await watch.next()).authorizations).toEqual([]);

    await plane.write('authz.yaml', AUTHZ);
    expect((await watch.next()).authorizations[0]?.labels.name).toBe('voting-from-web');

    await plane.write('unrelated.yaml', SERVER.replace('voting-grpc', 'web-http').replace('voting-svc', 'web-svc'));
    expect(await watch.quiet(200)).toBe(true);

    await plane.write('authz.yaml', AUTHZ.replace('10.0.0.0/8', '172.16.0.0/12'));
    expect((await watch.next()).authorizations[0]?.networks[0]?.net).toBe('172.16.0.0/12');

    await plane.write('server.yaml', SERVER.replace('proxyProtocol: gRPC', 'proxyProtocol: opaque'));
    expect((await watch.next()).protocol?.kind).toBe('opaque');

    await plane.write('server.yaml', '');
    const back = await watch.next();
    expect(back.labels).toEqual({ group: '', kind: 'default', name: 'all-unauthenticated' });
    watch.cancel();
  });

  it('streams inbound HTTPRoutes attached to a Server, with the authorizations that target them', async () => {
    plane = await new LocalPlane().start({
      'server.yaml': SERVER.replace('proxyProtocol: gRPC', 'proxyProtocol: HTTP/1'),
    });
    await plane.register(voting());
    const watch = plane.watchPort('emojivoto', 'voting-1', 8080);
    expect((await watch.next()).protocol?.http1?.routes).toEqual([]);

    await plane.write(
      'route.yaml',
      `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: voting-api, namespace: emojivoto }
spec:
  parentRefs: [{ group: policy.weft.dev, kind: Server, name: voting-grpc }]
  hostnames: [voting-svc.emojivoto.svc.cluster.local]
  rules:
    - matches:
        - { path: { type: PathPrefix, value: /api }, method: GET }
        - { path: { type: Exact, value: /healthz } }
---
apiVersion: policy.weft.dev/v1alpha1
kind: AuthorizationPolicy
metadata: { name: api-from-web, namespace: emojivoto }
spec:
  targetRef: { group: gateway.networking.k8s.io, kind: HTTPRoute, name: voting-api }
  requiredAuthenticationRefs: [{ kind: ServiceAccount, name: web }]
`,
    );
    const policy = await watch.next();
    const routes = policy.protocol?.http1?.routes ?? [];
    expect(routes).toHaveLength(1);
    expect(routes[0]?.labels).toEqual({ group: 'gateway.networking.k8s.io', kind: 'httproute', name: 'voting-api' });
    expect(routes[0]?.hosts).toEqual(['voting-svc.emojivoto.svc.cluster.local']);
    expect(routes[0]?.matches).toEqual([
      { prefix: '/api', method: 'GET', path: 'prefix' },
      { exact: '/healthz', method: '', path: 'exact' },
    ]);
    expect(routes[0]?.authorizations[0]?.authentication?.meshTls?.identities?.identities).toEqual([
      'web.emojivoto.serviceaccount.identity.weft.cluster.local',
    ]);
    // The route's policy does not open the whole port.
    expect(policy.authorizations).toEqual([]);
    watch.cancel();
  });

  it('rejects a workload that names no pod', async () => {
    plane = await new LocalPlane().start({});
    const watch = plane.watchPort('emojivoto', '', 8080);
    const err = await watch.failure();
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/WEFT_CP_INVALID_WORKLOAD/);
  });
});
