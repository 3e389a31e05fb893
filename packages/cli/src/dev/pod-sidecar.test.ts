import { describe, expect, it } from 'vitest';
import { emojivotoPods } from './emojivoto-pods.ts';
import type { MeshContext } from './meshed-emojivoto.ts';
import type { PodDeployment } from './pod-resources.ts';
import { podSidecar } from './pod-sidecar.ts';

// A pod's sidecar under `weft dev --pods` runs with what the injector puts in
// its proxy container on Kubernetes, filled in as the kubelet would; only the
// addresses and names of the mesh's services (on the host) are the runner's.

const ctx: MeshContext = {
  controlPlaneAddr: '10.7.0.1:4001',
  controlPlaneIdentity: 'weft-destination.weft-system.serviceaccount.identity.weft-system.cluster.local',
  identityAddr: '10.7.0.1:4002',
  identityServiceName: 'identity.weft-system.cluster.local',
  trustAnchorsPem: 'ANCHORS',
  otlpEndpoint: 'http://10.7.0.1:4003',
  tapClientIdentity: 'weft-cli.weft-system.serviceaccount.identity.weft-system.cluster.local',
  proxyTraceCollector: '10.7.0.1:4004',
  proxyLogLevel: 'warn',
  base: { PATH: '/usr/bin' },
};

const orders: PodDeployment = {
  name: 'orders',
  namespace: 'shop',
  labels: { app: 'orders' },
  annotations: { 'config.weft.dev/opaque-ports': '9000' },
  serviceAccount: 'orders',
  argv: ['node', 'orders.ts'],
  env: {},
  ports: [8080, 9000],
};
const identity = 'orders.shop.serviceaccount.identity.weft-system.cluster.local';

describe("a pod's sidecar", () => {
  it("listens where proxy-init's rules send traffic and names its pod, as the injector says, pointed at the mesh on the host", () => {
    const { argv, env } = podSidecar(orders, 'orders-0', { ctx, identity, tokenFile: '/run/t', cache: '/run/c' });
    expect(argv.at(-1)).toMatch(/packages\/proxy\/src\/main\.ts$/);
    expect(env).toMatchObject({
      WEFT_PROXY_INBOUND_LISTEN_ADDR: '0.0.0.0:4143',
      WEFT_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:4140',
      WEFT_PROXY_ADMIN_LISTEN_ADDR: '0.0.0.0:4191',
      WEFT_PROXY_TAP_LISTEN_ADDR: '0.0.0.0:4190',
      WEFT_PROXY_INBOUND_PORTS: '8080,9000',
      WEFT_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION: '9000',
      WEFT_PROXY_IDENTITY_LOCAL_NAME: identity,
      WEFT_PROXY_IDENTITY_TRUST_ANCHORS: 'ANCHORS',
      // The downward API and $(VAR) references, filled in as the kubelet does.
      WEFT_PROXY_DESTINATION_CONTEXT: '{"ns":"shop","nodeName":"localhost","pod":"orders-0"}',
      WEFT_PROXY_POLICY_WORKLOAD: '{"ns":"shop","pod":"orders-0"}',
      // The mesh's services, on the bridge's gateway.
      WEFT_PROXY_DESTINATION_ADDR: ctx.controlPlaneAddr,
      WEFT_PROXY_POLICY_SVC_ADDR: ctx.controlPlaneAddr,
      WEFT_PROXY_IDENTITY_SVC_ADDR: ctx.identityAddr,
      WEFT_PROXY_IDENTITY_TOKEN_FILE: '/run/t',
      NODE_COMPILE_CACHE: '/run/c',
    });
    expect(Object.values(env).join('\n')).not.toMatch(/\$\(/);
  });

  it('refuses a token whose identity is not the one the injector gives the pod', () => {
    expect(() =>
      podSidecar(orders, 'orders-0', { ctx, identity: 'default.shop.x', tokenFile: '/t', cache: '/c' }),
    ).toThrow(/orders-0: the injector names its identity orders\.shop\..*, its token default\.shop\.x/);
  });
});

describe('emojivoto in pods', () => {
  it("dials its Services by their plain names and ports, never a sidecar's port", () => {
    const pods = new Map(emojivotoPods({}, { withBot: true, withCanary: false }).map((p) => [p.name, p]));
    expect([...pods.keys()]).toEqual(['emoji', 'voting', 'web', 'vote-bot']);
    expect(pods.get('web')?.env).toMatchObject({
      WEB_PORT: '8080',
      EMOJISVC_HOST: 'emoji-svc:8080',
      VOTINGSVC_HOST: 'voting-svc:8080',
    });
    expect(pods.get('vote-bot')?.env).toMatchObject({ WEB_HOST: 'web-svc:80' });
    expect(pods.get('emoji')?.ports).toEqual([8080, 8801]);
    for (const pod of pods.values()) expect(pod.env.LISTEN_HOST).toBeUndefined();
  });
});
