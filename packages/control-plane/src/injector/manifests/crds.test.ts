import { describe, expect, it } from 'vitest';
import { crdErrors, loadCrds, structuralViolations } from './crd-validator.ts';

const crds = loadCrds();

const sp = (spec: unknown) => ({
  apiVersion: 'weft.dev/v1alpha2',
  kind: 'ServiceProfile',
  metadata: { name: 'web-svc.emojivoto.svc.cluster.local', namespace: 'emojivoto' },
  spec,
});
const policy = (kind: string, spec: unknown, version = 'v1alpha1') => ({
  apiVersion: `policy.weft.dev/${version}`,
  kind,
  metadata: { name: 'x', namespace: 'emojivoto' },
  spec,
});
const server = (spec: unknown) => policy('Server', spec, 'v1beta3');

const good = {
  'ServiceProfile with routes, retries and a budget': sp({
    routes: [
      {
        name: 'GET /api/vote',
        condition: { method: 'GET', pathRegex: '/api/vote' },
        responseClasses: [{ condition: { status: { min: 500, max: 599 } }, isFailure: true }],
        isRetryable: true,
        timeout: '500ms',
      },
      { name: 'VoteDoughnut', condition: { all: [{ method: 'POST' }, { not: { pathRegex: '/x' } }] } },
    ],
    retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: '10s' },
    dstOverrides: [
      { authority: 'web-svc.emojivoto.svc.cluster.local:80', weight: '500m' },
      { authority: 'web-svc-2.emojivoto.svc.cluster.local:80', weight: 1 },
    ],
  }),
  'Server on a named port': server({
    podSelector: { matchLabels: { app: 'web-svc' } },
    port: 'http',
    proxyProtocol: 'HTTP/1',
  }),
  'Server on a numbered port with expressions': server({
    podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['emoji-svc', 'voting-svc'] }] },
    port: 8080,
    proxyProtocol: 'gRPC',
    accessPolicy: 'all-authenticated',
  }),
  'AuthorizationPolicy on a Server': policy('AuthorizationPolicy', {
    targetRef: { group: 'policy.weft.dev', kind: 'Server', name: 'voting-grpc' },
    requiredAuthenticationRefs: [{ group: 'policy.weft.dev', kind: 'MeshTLSAuthentication', name: 'web-only' }],
  }),
  'MeshTLSAuthentication by identity': policy('MeshTLSAuthentication', {
    identities: [
      'web.emojivoto.serviceaccount.identity.weft-system.cluster.local',
      '*.emojivoto.serviceaccount.identity.weft-system.cluster.local',
    ],
  }),
  'MeshTLSAuthentication by ServiceAccount ref': policy('MeshTLSAuthentication', {
    identityRefs: [{ kind: 'ServiceAccount', name: 'web' }],
  }),
  'HTTPLocalRateLimitPolicy with total, identity and overrides': policy('HTTPLocalRateLimitPolicy', {
    targetRef: { group: 'policy.weft.dev', kind: 'Server', name: 'web-http' },
    total: { requestsPerSecond: 100 },
    identity: { requestsPerSecond: 20 },
    overrides: [
      { requestsPerSecond: 50, clientRefs: [{ kind: 'ServiceAccount', namespace: 'emojivoto', name: 'vote-bot' }] },
    ],
  }),
  'NetworkAuthentication with exceptions': policy('NetworkAuthentication', {
    networks: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }, { cidr: 'fd00::/8' }, { cidr: '0.0.0.0/0' }],
  }),
};

const bad = {
  'ServiceProfile route without a condition': [
    sp({ routes: [{ name: 'GET /' }] }),
    "must have required property 'condition'",
  ],
  'ServiceProfile with an unknown method': [
    sp({ routes: [{ name: 'x', condition: { method: 'FETCH' } }] }),
    'must be equal to one of the allowed values',
  ],
  'ServiceProfile timeout without a unit': [
    sp({ routes: [{ name: 'x', condition: { method: 'GET' }, timeout: '500' }] }),
    'must match pattern',
  ],
  'ServiceProfile status outside 100-599': [
    sp({
      routes: [{ name: 'x', condition: { method: 'GET' }, responseClasses: [{ condition: { status: { min: 700 } } }] }],
    }),
    'must be <= 599',
  ],
  'ServiceProfile retry budget missing its ttl': [
    sp({ retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10 } }),
    "must have required property 'ttl'",
  ],
  'Server without a selector': [server({ port: 8080 }), 'must match exactly one schema in oneOf'],
  'Server with both selectors': [
    server({ podSelector: {}, externalWorkloadSelector: {}, port: 8080 }),
    'must match exactly one schema in oneOf',
  ],
  'Server port out of range': [server({ podSelector: {}, port: 70000 }), 'must match a schema in anyOf'],
  'Server with an unknown protocol': [server({ podSelector: {}, port: 80, proxyProtocol: 'HTTP/3' }), 'allowed values'],
  'AuthorizationPolicy targeting a Deployment': [
    policy('AuthorizationPolicy', { targetRef: { kind: 'Deployment', name: 'web' }, requiredAuthenticationRefs: [] }),
    'allowed values',
  ],
  'AuthorizationPolicy without authentication refs': [
    policy('AuthorizationPolicy', { targetRef: { kind: 'Server', name: 'web' } }),
    "must have required property 'requiredAuthenticationRefs'",
  ],
  'MeshTLSAuthentication with neither identities nor refs': [policy('MeshTLSAuthentication', {}), 'oneOf'],
  'MeshTLSAuthentication with an empty identity list': [
    policy('MeshTLSAuthentication', { identities: [] }),
    'must NOT have fewer than 1 items',
  ],
  'NetworkAuthentication with a bad CIDR': [
    policy('NetworkAuthentication', { networks: [{ cidr: '10.0.0.300/8' }] }),
    'must match pattern',
  ],
  'HTTPLocalRateLimitPolicy targeting a Deployment': [
    policy('HTTPLocalRateLimitPolicy', { targetRef: { kind: 'Deployment', name: 'web' } }),
    'allowed values',
  ],
  'HTTPLocalRateLimitPolicy with a negative limit': [
    policy('HTTPLocalRateLimitPolicy', {
      targetRef: { kind: 'Server', name: 'web' },
      total: { requestsPerSecond: -1 },
    }),
    'must be >= 0',
  ],
  'HTTPLocalRateLimitPolicy override without clients': [
    policy('HTTPLocalRateLimitPolicy', {
      targetRef: { kind: 'Server', name: 'web' },
      overrides: [{ requestsPerSecond: 5, clientRefs: [] }],
    }),
    'fewer than 1 items',
  ],
  'NetworkAuthentication with no networks': [policy('NetworkAuthentication', { networks: [] }), 'fewer than 1 items'],
} as const;

describe('deploy/crds', () => {
  it('defines the six kinds under weft.dev and policy.weft.dev with Linkerd versions', () => {
    expect([...crds.keys()].sort()).toEqual([
      'policy.weft.dev/v1alpha1/AuthorizationPolicy',
      'policy.weft.dev/v1alpha1/HTTPLocalRateLimitPolicy',
      'policy.weft.dev/v1alpha1/MeshTLSAuthentication',
      'policy.weft.dev/v1alpha1/NetworkAuthentication',
      'policy.weft.dev/v1beta3/Server',
      'weft.dev/v1alpha2/ServiceProfile',
    ]);
  });

  it('uses structural schemas only', () => {
    for (const crd of crds.values()) expect(structuralViolations(crd.schema), crd.file).toEqual([]);
  });

  it('notices a schema that is not structural', () => {
    expect(structuralViolations({ type: 'object', properties: { a: { anyOf: [{ type: 'string' }] }, b: {} } })).toEqual(
      ['.a: no type', '.a.anyOf[0]: type inside a logical junctor', '.b: no type'],
    );
  });

  for (const [name, obj] of Object.entries(good)) {
    it(`accepts ${name}`, () => expect(crdErrors(crds, obj)).toEqual([]));
  }
  for (const [name, [obj, message]] of Object.entries(bad)) {
    it(`rejects ${name}`, () => expect(crdErrors(crds, obj).join('\n')).toContain(message));
  }

  it('rejects an apiVersion no CRD serves (Linkerd YAML must have its group changed)', () => {
    expect(crdErrors(crds, { ...sp({}), apiVersion: 'linkerd.io/v1alpha2' })).toEqual([
      'no CRD serves linkerd.io/v1alpha2 ServiceProfile',
    ]);
  });
});
