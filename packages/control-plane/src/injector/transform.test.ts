import { readFileSync } from 'node:fs';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { Pod } from 'kubernetes-models/v1/Pod';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INJECTOR_CONFIG } from './config.ts';
import { InjectorErrorCode } from './errors.ts';
import { applyPatch } from './json-patch.ts';
import type { InjectInput } from './transform.ts';
import { injectPod } from './transform.ts';

const review = JSON.parse(readFileSync(new URL('./fixtures/web-pod-review.json', import.meta.url), 'utf8'));
const webPod: V1Pod = review.request.object;
const ENABLED = { 'weft.dev/inject': 'enabled' };

function inject(input: Partial<InjectInput> & { pod: V1Pod }) {
  const result = injectPod({ namespace: 'emojivoto', namespaceAnnotations: {}, ...input }, DEFAULT_INJECTOR_CONFIG);
  if (result.kind !== 'injected') throw new Error(`expected injection, got ${result.reason}: ${result.message}`);
  return applyPatch(input.pod, result.patch);
}

const withAnnotations = (pod: V1Pod, annotations: Record<string, string>): V1Pod => ({
  ...pod,
  metadata: { ...pod.metadata, annotations: { ...pod.metadata?.annotations, ...annotations } },
});
const container = (pod: V1Pod, name: string): V1Container => {
  const c = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
};
const env = (c: V1Container, name: string) => c.env?.find((e) => e.name === name)?.value;

describe('injectPod on emojivoto web pod', () => {
  const pod = inject({ pod: webPod, namespaceAnnotations: ENABLED });
  const proxy = container(pod, 'weft-proxy');
  const init = container(pod, 'weft-init');

  it('adds weft-init then weft-proxy as init containers and keeps the app container', () => {
    expect(pod.spec?.initContainers?.map((c) => c.name)).toEqual(['weft-init', 'weft-proxy']);
    expect(pod.spec?.containers.map((c) => c.name)).toEqual(['web-svc']);
    expect(proxy.restartPolicy).toBe('Always');
  });

  it('gives the proxy its identity from the ServiceAccount and namespace', () => {
    expect(env(proxy, 'WEFT_PROXY_IDENTITY_LOCAL_NAME')).toBe(
      'web.emojivoto.serviceaccount.identity.weft-system.cluster.local',
    );
    expect(env(proxy, 'WEFT_PROXY_INBOUND_PORTS')).toBe('8080');
    expect(env(proxy, 'WEFT_PROXY_INBOUND_FORWARD_ADDR')).toBe('127.0.0.1:8080');
    expect(env(proxy, 'WEFT_PROXY_DESTINATION_ADDR')).toBe('weft-dst-headless.weft-system.svc.cluster.local.:8086');
    const token = pod.spec?.volumes?.find((v) => v.name === 'weft-identity-token');
    expect(token?.projected?.sources?.[0]?.serviceAccountToken?.audience).toBe('identity.weft.dev');
  });

  it('runs the proxy as uid 2102 with ports, probes and resources', () => {
    expect(proxy.securityContext?.runAsUser).toBe(2102);
    expect(proxy.ports?.map((p) => p.containerPort)).toEqual([4143, 4191]);
    expect(proxy.readinessProbe?.httpGet).toEqual({ path: '/ready', port: 4191 });
    expect(proxy.livenessProbe?.httpGet).toEqual({ path: '/live', port: 4191 });
    expect(proxy.resources?.requests).toEqual({ cpu: '100m', memory: '20Mi' });
  });

  it('gives weft-init the iptables command line and NET_ADMIN/NET_RAW', () => {
    expect(init.command).toEqual(['weft-proxy-init']);
    expect(init.args?.join(' ')).toBe(
      '--incoming-proxy-port 4143 --outgoing-proxy-port 4140 --proxy-uid 2102 --inbound-ports-to-ignore 4190,4191 ' +
        '--firewall-bin-path iptables-nft --firewall-save-bin-path iptables-nft-save',
    );
    expect(init.securityContext?.capabilities?.add).toEqual(['NET_ADMIN', 'NET_RAW']);
  });

  it('records what it did in annotations and labels', () => {
    expect(pod.metadata?.annotations).toMatchObject({
      'weft.dev/inject-status': 'injected',
      'weft.dev/proxy-version': DEFAULT_INJECTOR_CONFIG.proxyVersion,
      'weft.dev/identity-mode': 'default',
    });
    expect(pod.metadata?.labels).toMatchObject({
      app: 'web-svc',
      'weft.dev/proxy-deployment': 'web',
      'weft.dev/control-plane-ns': 'weft-system',
    });
  });

  it('produces a pod the Kubernetes Pod schema accepts', () => {
    expect(() => new Pod(pod as ConstructorParameters<typeof Pod>[0]).validate()).not.toThrow();
  });

  it('would be caught by the schema check if the patch were wrong', () => {
    const broken = structuredClone(pod);
    (broken.spec?.initContainers?.[0] as unknown as Record<string, unknown>).ports = [{ containerPort: 'x' }];
    expect(() => new Pod(broken as ConstructorParameters<typeof Pod>[0]).validate()).toThrow(/containerPort/);
  });
});

describe('injection decision', () => {
  it('is idempotent: an injected pod gets no second patch', () => {
    const once = inject({ pod: webPod, namespaceAnnotations: ENABLED });
    const again = injectPod(
      { pod: once, namespace: 'emojivoto', namespaceAnnotations: ENABLED },
      DEFAULT_INJECTOR_CONFIG,
    );
    expect(again).toMatchObject({ kind: 'skipped', reason: 'already-injected' });
  });

  it('lets disabled on the pod win over an enabled namespace', () => {
    const pod = withAnnotations(webPod, { 'weft.dev/inject': 'disabled' });
    const r = injectPod({ pod, namespace: 'emojivoto', namespaceAnnotations: ENABLED }, DEFAULT_INJECTOR_CONFIG);
    expect(r).toMatchObject({ kind: 'skipped', reason: 'injection-disabled' });
  });

  it('injects a pod that opts in inside a namespace that does not', () => {
    const pod = inject({ pod: withAnnotations(webPod, ENABLED), namespaceAnnotations: {} });
    expect(pod.spec?.initContainers?.map((c) => c.name)).toContain('weft-proxy');
  });

  it('puts an ingress pod’s proxy in ingress mode', () => {
    const pod = inject({ pod: withAnnotations(webPod, { 'weft.dev/inject': 'ingress' }) });
    expect(env(container(pod, 'weft-proxy'), 'WEFT_PROXY_INGRESS_MODE')).toBe('true');
    const plain = inject({ pod: webPod, namespaceAnnotations: ENABLED });
    expect(env(container(plain, 'weft-proxy'), 'WEFT_PROXY_INGRESS_MODE')).toBeUndefined();
  });

  it('skips a pod when neither it nor its namespace opts in, and hostNetwork pods', () => {
    const none = injectPod({ pod: webPod, namespace: 'emojivoto', namespaceAnnotations: {} }, DEFAULT_INJECTOR_CONFIG);
    expect(none).toMatchObject({ kind: 'skipped', reason: 'injection-not-enabled' });
    const host = { ...webPod, spec: { ...webPod.spec, containers: webPod.spec?.containers ?? [], hostNetwork: true } };
    const r = injectPod({ pod: host, namespace: 'emojivoto', namespaceAnnotations: ENABLED }, DEFAULT_INJECTOR_CONFIG);
    expect(r).toMatchObject({ kind: 'skipped', reason: 'host-network' });
  });
});

describe('config.weft.dev overrides', () => {
  it('applies pod annotations to resources, log level, ports and policy', () => {
    const pod = inject({
      pod: withAnnotations(webPod, {
        'config.weft.dev/proxy-cpu-request': '250m',
        'config.weft.dev/proxy-memory-limit': '128Mi',
        'config.weft.dev/proxy-log-level': 'debug',
        'config.weft.dev/skip-inbound-ports': '9000-9010',
        'config.weft.dev/skip-outbound-ports': '3306',
        'config.weft.dev/opaque-ports': '8080',
        'config.weft.dev/default-inbound-policy': 'all-authenticated',
      }),
      namespaceAnnotations: ENABLED,
    });
    const proxy = container(pod, 'weft-proxy');
    expect(proxy.resources).toEqual({ requests: { cpu: '250m', memory: '20Mi' }, limits: { memory: '128Mi' } });
    expect(env(proxy, 'WEFT_PROXY_LOG_LEVEL')).toBe('debug');
    expect(env(proxy, 'WEFT_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION')).toBe('8080');
    expect(env(proxy, 'WEFT_PROXY_INBOUND_DEFAULT_POLICY')).toBe('all-authenticated');
    const args = container(pod, 'weft-init').args?.join(' ');
    expect(args).toContain('--inbound-ports-to-ignore 4190,4191,9000-9010');
    expect(args).toContain('--outbound-ports-to-ignore 3306');
  });

  it('copies namespace config onto the pod unless the pod sets its own', () => {
    const pod = inject({
      pod: withAnnotations(webPod, { 'config.weft.dev/proxy-log-level': 'trace' }),
      namespaceAnnotations: {
        ...ENABLED,
        'config.weft.dev/proxy-log-level': 'info',
        'config.weft.dev/proxy-memory-request': '64Mi',
      },
    });
    expect(pod.metadata?.annotations?.['config.weft.dev/proxy-memory-request']).toBe('64Mi');
    expect(env(container(pod, 'weft-proxy'), 'WEFT_PROXY_LOG_LEVEL')).toBe('trace');
    expect(container(pod, 'weft-proxy').resources?.requests?.memory).toBe('64Mi');
  });

  it('puts the proxy first among the app containers when native sidecars are off', () => {
    const pod = inject({
      pod: withAnnotations(webPod, { 'config.weft.dev/proxy-enable-native-sidecar': 'false' }),
      namespaceAnnotations: ENABLED,
    });
    expect(pod.spec?.containers.map((c) => c.name)).toEqual(['weft-proxy', 'web-svc']);
    expect(pod.spec?.initContainers?.map((c) => c.name)).toEqual(['weft-init']);
  });

  it('keeps the app’s own init containers and volumes after the mesh ones', () => {
    const spec = { ...webPod.spec, containers: webPod.spec?.containers ?? [] };
    spec.initContainers = [{ name: 'migrate', image: 'busybox' }];
    spec.volumes = [{ name: 'data', emptyDir: {} }];
    const pod = inject({ pod: { ...webPod, spec }, namespaceAnnotations: ENABLED });
    expect(pod.spec?.initContainers?.map((c) => c.name)).toEqual(['weft-init', 'weft-proxy', 'migrate']);
    expect(pod.spec?.volumes?.map((v) => v.name)).toEqual([
      'data',
      'weft-identity-end-entity',
      'weft-identity-token',
      'weft-xtables-lock',
    ]);
  });

  it('rejects unusable values with a code naming the annotation', () => {
    for (const [k, v] of [
      ['proxy-cpu-request', 'lots'],
      ['skip-inbound-ports', '70000'],
      ['default-inbound-policy', 'allow-everything'],
    ] as const) {
      const pod = withAnnotations(webPod, { [`config.weft.dev/${k}`]: v });
      expect(() =>
        injectPod({ pod, namespace: 'emojivoto', namespaceAnnotations: ENABLED }, DEFAULT_INJECTOR_CONFIG),
      ).toThrow(new RegExp(`${InjectorErrorCode.InvalidAnnotation}: config\\.weft\\.dev/${k}`));
    }
  });
});
