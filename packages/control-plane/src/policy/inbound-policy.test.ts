import { describe, expect, it } from 'vitest';
import { parseResource } from '../resources/parse.ts';
import type { Pod } from '../resources/types.ts';
import { changeFor, ResourceState } from '../store/state.ts';
import { inboundPolicy, type PolicyConfig } from './inbound-policy.ts';

const cfg: PolicyConfig = {
  defaultInboundPolicy: 'all-unauthenticated',
  clusterNetworks: ['10.0.0.0/8'],
  namespace: 'weft',
  trustDomain: 'cluster.local',
};

const pod: Pod = {
  kind: 'Pod',
  meta: { name: 'emoji-1', namespace: 'emojivoto', labels: { app: 'emoji-svc', tier: 'backend' }, annotations: {} },
  serviceAccount: 'emoji',
  containerPorts: [{ name: 'grpc', port: 8080 }],
  httpProbes: [],
};

function stateOf(...docs: object[]): ResourceState {
  const state = new ResourceState();
  state.apply([changeFor(pod), ...docs.map((d) => changeFor(parseResource(d, 'emojivoto')))]);
  return state;
}

const server = (spec: object) => ({
  apiVersion: 'policy.weft.dev/v1beta3',
  kind: 'Server',
  metadata: { name: 'emoji-grpc' },
  spec,
});
const policy = (name: string, targetRef: object, refs: object[]) => ({
  apiVersion: 'policy.weft.dev/v1alpha1',
  kind: 'AuthorizationPolicy',
  metadata: { name },
  spec: { targetRef, requiredAuthenticationRefs: refs },
});
const mtls = (spec: object) => ({
  apiVersion: 'policy.weft.dev/v1alpha1',
  kind: 'MeshTLSAuthentication',
  metadata: { name: 'ids' },
  spec,
});

describe('inboundPolicy', () => {
  it('selects a Server by named container port and match expressions', () => {
    const state = stateOf(
      server({
        podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }] },
        port: 'grpc',
        proxyProtocol: 'HTTP/2',
      }),
    );
    const p = inboundPolicy(state, cfg, pod, 8080);
    expect(p.labels).toEqual({ group: 'policy.weft.dev', kind: 'server', name: 'emoji-grpc' });
    expect(p.protocol).toEqual({ http2: { routes: [] } });
    expect(inboundPolicy(state, cfg, pod, 9090).labels?.kind).toBe('default');
  });

  it('turns identityRefs and ServiceAccount refs into identities and suffixes, and namespace-wide policies apply', () => {
    const state = stateOf(
      server({ podSelector: { matchLabels: { app: 'emoji-svc' } }, port: 8080 }),
      mtls({
        identityRefs: [
          { kind: 'ServiceAccount', name: 'web' },
          { kind: 'Namespace', name: 'ops' },
        ],
      }),
      policy('by-ids', { group: 'policy.weft.dev', kind: 'Server', name: 'emoji-grpc' }, [
        { group: 'policy.weft.dev', kind: 'MeshTLSAuthentication', name: 'ids' },
      ]),
      policy('whole-namespace', { kind: 'Namespace', name: 'emojivoto' }, [
        { kind: 'ServiceAccount', name: 'vote-bot' },
      ]),
    );
    const p = inboundPolicy(state, cfg, pod, 8080);
    expect(p.authorizations?.map((a) => a.labels?.name)).toEqual(['by-ids', 'whole-namespace']);
    expect(p.authorizations?.[0]?.authentication).toEqual({
      meshTls: {
        identities: {
          identities: ['web.emojivoto.serviceaccount.identity.weft.cluster.local'],
          suffixes: ['ops.serviceaccount.identity.weft.cluster.local'],
        },
      },
    });
    expect(p.authorizations?.[1]?.authentication?.meshTls?.identities?.identities).toEqual([
      'vote-bot.emojivoto.serviceaccount.identity.weft.cluster.local',
    ]);
  });

  it('leaves out a policy whose authentication does not exist yet, and falls back to the accessPolicy', () => {
    const state = stateOf(
      server({ podSelector: {}, port: 8080, accessPolicy: 'audit' }),
      policy('dangling', { group: 'policy.weft.dev', kind: 'Server', name: 'emoji-grpc' }, [
        { group: 'policy.weft.dev', kind: 'MeshTLSAuthentication', name: 'missing' },
      ]),
    );
    const p = inboundPolicy(state, cfg, pod, 8080);
    expect(p.authorizations).toHaveLength(1);
    expect(p.authorizations?.[0]).toMatchObject({ audit: true, labels: { kind: 'default', name: 'audit' } });
  });

  it('lets the kubelet reach HTTP probes under a deny policy, through a probe route', () => {
    const probed = parseResource({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-1',
        namespace: 'emojivoto',
        annotations: { 'config.weft.dev/default-inbound-policy': 'deny' },
      },
      spec: {
        containers: [
          {
            name: 'web',
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: { httpGet: { port: 'http', path: '/ready' } },
            livenessProbe: { httpGet: { port: 8080, path: '/live' } },
          },
        ],
      },
    }) as Pod;
    const p = inboundPolicy(new ResourceState(), cfg, probed, 8080);
    expect(p.authorizations).toEqual([]);
    const routes = p.protocol?.detect?.httpRoutes ?? [];
    expect(routes.map((r) => r.labels?.name)).toEqual(['default', 'probe']);
    expect(routes[0]?.matches).toEqual([]);
    expect(routes[1]?.matches).toEqual([
      { exact: '/live', method: 'GET' },
      { exact: '/ready', method: 'GET' },
    ]);
    expect(routes[1]?.authorizations?.[0]?.authentication).toEqual({ unauthenticated: {} });
    expect(routes[1]?.authorizations?.[0]?.networks?.map((n) => n.net)).toEqual(['0.0.0.0/0', '::/0']);
    // A port without probes has no routes: every request is the one default route.
    expect(inboundPolicy(new ResourceState(), cfg, probed, 9090).protocol?.detect?.httpRoutes).toEqual([]);
    // A Server without routes of its own keeps the probe route too.
    const state = stateOf(server({ podSelector: {}, port: 8080, proxyProtocol: 'HTTP/1' }));
    expect(inboundPolicy(state, cfg, probed, 8080).protocol?.http1?.routes?.map((r) => r.labels?.name)).toEqual([
      'default',
      'probe',
    ]);
  });

  it('gives an opaque port the opaque protocol under the default policy', () => {
    const opaquePod = {
      ...pod,
      meta: { ...pod.meta, annotations: { 'config.weft.dev/opaque-ports': '3306,8000-8100' } },
    };
    expect(inboundPolicy(new ResourceState(), cfg, opaquePod, 8080).protocol).toEqual({ opaque: {} });
    expect(inboundPolicy(new ResourceState(), cfg, opaquePod, 9000).protocol?.detect).toBeDefined();
  });
});
