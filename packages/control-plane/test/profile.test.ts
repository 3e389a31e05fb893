import { afterEach, describe, expect, it } from 'vitest';
import { LocalPlane } from './support/local-plane.ts';

const SERVICES = ['web-svc', 'web-svc-v2'].map(
  (name) => `
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: emojivoto }
spec:
  ports: [{ name: http, port: 80 }]
`,
);

const HTTP_ROUTE = (weights: [number, number]) => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web-canary
  namespace: emojivoto
  annotations: { retry.weft.dev/http: gateway-error }
spec:
  parentRefs: [{ group: core, kind: Service, name: web-svc, port: 80 }]
  rules:
    - name: api
      matches: [{ path: { type: PathPrefix, value: /api/ }, method: POST }]
      timeouts: { request: 1500ms }
    - backendRefs:
        - { name: web-svc, port: 80, weight: ${weights[0]} }
        - { name: web-svc-v2, port: 80, weight: ${weights[1]} }
`;

const SPLIT_PROFILE = `
apiVersion: weft.dev/v1alpha2
kind: ServiceProfile
metadata: { name: web-svc.emojivoto.svc.cluster.local, namespace: emojivoto }
spec:
  retryBudget: { retryRatio: 0.5, minRetriesPerSecond: 3, ttl: 30s }
  dstOverrides:
    - { authority: web-svc.emojivoto.svc.cluster.local:80, weight: 900m }
    - { authority: web-svc-v2.emojivoto.svc.cluster.local, weight: 100m }
`;

describe('GetProfile from HTTPRoute and ServiceProfile', () => {
  let plane: LocalPlane;
  afterEach(() => plane?.stop());

  it('turns an HTTPRoute on the Service into routes, timeouts, retries and a weighted split', async () => {
    plane = await new LocalPlane().start({ 'svc.yaml': SERVICES.join('---'), 'route.yaml': HTTP_ROUTE([90, 10]) });
    const profile = plane.profile('web-svc.emojivoto.svc.cluster.local:80');
    const p = await profile.next();
    expect(p.routes).toHaveLength(2);
    const api = p.routes[0];
    expect(api?.metricsLabels).toEqual({ route: 'web-canary.api' });
    expect(api?.condition?.all?.matches.map((m) => m.match)).toEqual(['path', 'method']);
    const regex = new RegExp(`^${api?.condition?.all?.matches[0]?.path?.regex}$`);
    expect(['/api/vote', '/api'].map((path) => regex.test(path))).toEqual([true, true]);
    expect(regex.test('/apis')).toBe(false);
    expect(api?.timeout).toEqual({ seconds: '1', nanos: 500_000_000 });
    expect(api?.isRetryable).toBe(true);
    expect(api?.responseClasses).toEqual([
      { condition: { status: { min: 502, max: 504 }, match: 'status' }, isFailure: true },
    ]);
    expect(p.dstOverrides).toEqual([
      { authority: 'web-svc.emojivoto.svc.cluster.local:80', weight: 900000 },
      { authority: 'web-svc-v2.emojivoto.svc.cluster.local:80', weight: 100000 },
    ]);

    // Shifting the canary's weight resends the whole profile.
    await plane.write('route.yaml', HTTP_ROUTE([0, 100]));
    const shifted = await profile.next();
    expect(shifted.dstOverrides.map((d) => d.weight)).toEqual([0, 1000000]);
    expect(shifted.routes).toHaveLength(2);
    profile.cancel();
  });

  it('prefers a ServiceProfile split and budget, in decimillis, with the port filled in', async () => {
    plane = await new LocalPlane().start({
      'svc.yaml': SERVICES.join('---'),
      'route.yaml': HTTP_ROUTE([50, 50]),
      'sp.yaml': SPLIT_PROFILE,
    });
    const p = await plane.profile('web-svc:80').next();
    expect(p.dstOverrides).toEqual([
      { authority: 'web-svc.emojivoto.svc.cluster.local:80', weight: 9000 },
      { authority: 'web-svc-v2.emojivoto.svc.cluster.local:80', weight: 1000 },
    ]);
    expect(p.retryBudget).toEqual({ retryRatio: 0.5, minRetriesPerSecond: 3, ttl: { seconds: '30', nanos: 0 } });
  });

  it('lets a ServiceProfile in the client namespace override the service namespace one, per client', async () => {
    const clientSide = SPLIT_PROFILE.replace('namespace: emojivoto }', 'namespace: vote-bot }')
      .replace('900m', '1')
      .replace('100m', '0');
    plane = await new LocalPlane().start({
      'svc.yaml': SERVICES.join('---'),
      'sp.yaml': SPLIT_PROFILE,
      'bot.yaml': clientSide,
    });
    const fromBot = plane.profile('web-svc.emojivoto:80', '{"ns":"vote-bot"}');
    const fromWeb = plane.profile('web-svc.emojivoto:80', '{"ns":"emojivoto"}');
    expect((await fromBot.next()).dstOverrides.map((d) => d.weight)).toEqual([10000, 0]);
    expect((await fromWeb.next()).dstOverrides.map((d) => d.weight)).toEqual([9000, 1000]);
    // Removing the client-side profile falls back to the service's, for that client only.
    await plane.write('bot.yaml', '');
    expect((await fromBot.next()).dstOverrides.map((d) => d.weight)).toEqual([9000, 1000]);
    expect(await fromWeb.quiet(150)).toBe(true);
    fromBot.cancel();
    fromWeb.cancel();
  });

  it('passes an HTTPRoute fault annotations on in its route labels', async () => {
    const faulty = HTTP_ROUTE([100, 0]).replace(
      'annotations: { retry.weft.dev/http: gateway-error }',
      'annotations: { fault.weft.dev/abort-percent: "25", fault.weft.dev/abort-status: "503" }',
    );
    plane = await new LocalPlane().start({ 'svc.yaml': SERVICES.join('---'), 'route.yaml': faulty });
    const p = await plane.profile('web-svc.emojivoto.svc.cluster.local:80').next();
    expect(p.routes[0]?.metricsLabels).toEqual({
      route: 'web-canary.api',
      'fault.weft.dev/abort-percent': '25',
      'fault.weft.dev/abort-status': '503',
    });
  });

  it('sends header and query parameter matches, and an A/B rule with its own backends', async () => {
    const ab = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: web-ab, namespace: emojivoto }
spec:
  parentRefs: [{ group: core, kind: Service, name: web-svc, port: 80 }]
  rules:
    - name: testers
      matches:
        - headers: [{ name: X-Canary, value: "yes" }, { type: RegularExpression, name: x-user, value: "beta-.*" }]
        - queryParams: [{ name: canary, value: "1" }]
      backendRefs: [{ name: web-svc-v2, port: 80 }]
    - backendRefs: [{ name: web-svc, port: 80 }]
`;
    plane = await new LocalPlane().start({ 'svc.yaml': SERVICES.join('---'), 'route.yaml': ab });
    const p = await plane.profile('web-svc.emojivoto.svc.cluster.local:80').next();
    const [testers, rest] = p.routes;
    const [headers, query] = testers?.condition?.any?.matches ?? [];
    expect(headers?.all?.matches.map((m) => m.header)).toEqual([
      { name: 'x-canary', exact: 'yes', value: 'exact' },
      { name: 'x-user', regex: 'beta-.*', value: 'regex' },
    ]);
    expect(query?.queryParam).toEqual({ name: 'canary', exact: '1', value: 'exact' });
    expect(testers?.backends).toEqual([{ authority: 'web-svc-v2.emojivoto.svc.cluster.local:80', weight: 10000 }]);
    expect(rest?.backends).toEqual([{ authority: 'web-svc.emojivoto.svc.cluster.local:80', weight: 10000 }]);
    // Requests no rule matches keep the catch-all rule's backends.
    expect(p.dstOverrides).toEqual(rest?.backends);
  });

  it('sends the default profile for a Service with neither', async () => {
    plane = await new LocalPlane().start({ 'svc.yaml': SERVICES.join('---') });
    const p = await plane.profile('web-svc-v2.emojivoto:80').next();
    expect(p.fullyQualifiedName).toBe('web-svc-v2.emojivoto.svc.cluster.local');
    expect(p.routes).toEqual([]);
    expect(p.dstOverrides).toEqual([]);
    expect(p.retryBudget?.minRetriesPerSecond).toBe(10);
    expect(p.retryBudget?.ttl).toEqual({ seconds: '10', nanos: 0 });
  });
});
