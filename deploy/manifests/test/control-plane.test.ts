import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Container, V1EnvVar } from '@kubernetes/client-node';
import { loadConfig } from '@weft/control-plane';
import { DEFAULT_INJECTOR_CONFIG, readInjectorConfig } from '@weft/control-plane/injector';
import { parseConfig } from '@weft/identity';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/yaml-documents.ts';
import type {
  V1ClusterRole,
  V1Deployment,
  V1MutatingWebhookConfiguration,
  V1PodDisruptionBudget,
} from './deploy-objects.ts';
import { deployObjects, ofKind } from './deploy-objects.ts';

// What Linkerd's chart gives each control-plane component, checked on ours:
// least-privilege RBAC, probes on ports the container declares, requests and
// a memory limit, a locked-down securityContext, and a PodDisruptionBudget
// wherever more than one replica runs.

const objects = deployObjects('control-plane');
const deployments = ofKind<V1Deployment>(objects, 'Deployment');
const byName = (name: string) => {
  const d = deployments.find((x) => x.metadata?.name === name);
  if (!d) throw new Error(`no Deployment ${name} in deploy/control-plane`);
  return d;
};
const containerOf = (name: string) => byName(name).spec?.template.spec?.containers[0] as V1Container;

/** The variable names a component's config reader asks for, given the container's environment. */
function namesRead(read: (env: (name: string) => string | undefined) => unknown, container: V1Container): Set<string> {
  const values = new Map((container.env ?? []).map((e: V1EnvVar) => [e.name, e.value ?? `from ${e.name}`]));
  const asked = new Set<string>();
  read((name) => {
    asked.add(name);
    return values.get(name);
  });
  return asked;
}

describe('deploy/control-plane', () => {
  it('runs three components, each with a PodDisruptionBudget keeping one pod when more run', () => {
    expect(deployments.map((d) => d.metadata?.name).sort()).toEqual([
      'weft-destination',
      'weft-identity',
      'weft-proxy-injector',
    ]);
    const pdbs = ofKind<V1PodDisruptionBudget>(objects, 'PodDisruptionBudget');
    for (const d of deployments) {
      const labels = d.spec?.template.metadata?.labels ?? {};
      const pdb = pdbs.find((p) =>
        Object.entries(p.spec?.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v),
      );
      if ((d.spec?.replicas ?? 1) > 1)
        expect(pdb?.spec, d.metadata?.name).toEqual(expect.objectContaining({ minAvailable: 1 }));
      else expect(pdb, `${d.metadata?.name}: a budget of 1 with one replica blocks every drain`).toBeUndefined();
    }
  });

  it('probes each component on a port its container declares, requests CPU and memory, and caps memory', () => {
    for (const d of deployments) {
      const c = d.spec?.template.spec?.containers[0] as V1Container;
      const ports = new Set((c.ports ?? []).map((p) => p.name));
      for (const probe of [c.readinessProbe, c.livenessProbe]) {
        expect(ports, `${d.metadata?.name} probe port`).toContain(probe?.httpGet?.port);
        expect(probe?.httpGet?.path, d.metadata?.name).toMatch(/^\/(ready|live)$/);
      }
      expect(Object.keys(c.resources?.requests ?? {}).sort(), d.metadata?.name).toEqual(['cpu', 'memory']);
      expect(c.resources?.limits?.memory, d.metadata?.name).toBeDefined();
    }
  });

  it('runs every component as non-root, read-only, without privilege escalation or any capability', () => {
    for (const d of deployments) {
      const pod = d.spec?.template.spec;
      expect(pod?.securityContext, d.metadata?.name).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod?.containers[0]?.securityContext, d.metadata?.name).toEqual({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
    }
  });

  it('grants each component only the verbs on the resources it uses', () => {
    const rules = Object.fromEntries(
      ofKind<V1ClusterRole>(objects, 'ClusterRole').map((r) => [
        r.metadata?.name,
        (r.rules ?? []).flatMap((rule) =>
          (rule.resources ?? []).map((res) => `${rule.apiGroups?.[0] || 'core'}/${res}: ${rule.verbs.join(',')}`),
        ),
      ]),
    );
    expect(rules).toEqual({
      'weft-destination': [
        'core/services: list,watch',
        'core/pods: list,watch',
        'discovery.k8s.io/endpointslices: list,watch',
        'weft.dev/serviceprofiles: list,watch',
        'policy.weft.dev/servers: list,watch',
        'policy.weft.dev/authorizationpolicies: list,watch',
        'policy.weft.dev/httplocalratelimitpolicies: list,watch',
        'policy.weft.dev/meshtlsauthentications: list,watch',
        'policy.weft.dev/networkauthentications: list,watch',
        'gateway.networking.k8s.io/httproutes: list,watch',
        'gateway.networking.k8s.io/grpcroutes: list,watch',
      ],
      'weft-identity': ['authentication.k8s.io/tokenreviews: create'],
      'weft-proxy-injector': ['core/namespaces: get'],
    });
  });

  it('runs each component from the mesh image, by a name its entrypoint knows', () => {
    const entrypoint = readFileSync(join(REPO_ROOT, 'deploy/docker/bin/weft-component'), 'utf8');
    const known = [...entrypoint.matchAll(/^\s+([a-z-]+)\) exec /gm)].map((m) => m[1]);
    const proxyImage = containerOf('weft-proxy-injector').env?.find(
      (e) => e.name === 'WEFT_INJECTOR_PROXY_IMAGE',
    )?.value;
    expect(proxyImage).toBe(DEFAULT_INJECTOR_CONFIG.proxyImage);
    for (const d of deployments) {
      const c = d.spec?.template.spec?.containers[0] as V1Container;
      expect(c.image, d.metadata?.name).toBe(proxyImage);
      expect(c.command, d.metadata?.name).toBeUndefined();
      expect(known, d.metadata?.name).toContain(c.args?.[0]);
    }
  });

  it('sets only environment variables the components read', () => {
    const destination = containerOf('weft-destination');
    const identity = containerOf('weft-identity');
    const injector = containerOf('weft-proxy-injector');
    const read = {
      'weft-destination': namesRead(loadConfig, destination),
      'weft-identity': namesRead(parseConfig, identity),
      // injector-main.ts reads its port and certificate itself; the rest goes through readInjectorConfig.
      'weft-proxy-injector': new Set([
        ...namesRead((env) => readInjectorConfig(env, () => ''), injector),
        'WEFT_INJECTOR_PORT',
        'WEFT_INJECTOR_TLS_CERT_FILE',
        'WEFT_INJECTOR_TLS_KEY_FILE',
      ]),
    };
    for (const [name, c] of [
      ['weft-destination', destination],
      ['weft-identity', identity],
      ['weft-proxy-injector', injector],
    ] as const) {
      const unread = (c.env ?? []).map((e) => e.name).filter((n) => !read[name].has(n));
      expect(unread, name).toEqual([]);
    }
  });

  it('sends pods to the injector, never the control plane’s own or kube-system’s, and admits them if it is down', () => {
    const [config] = ofKind<V1MutatingWebhookConfiguration>(objects, 'MutatingWebhookConfiguration');
    const hook = config?.webhooks?.[0];
    expect(hook).toMatchObject({ failurePolicy: 'Ignore', sideEffects: 'None', admissionReviewVersions: ['v1'] });
    expect(hook?.rules).toEqual([
      { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' },
    ]);
    const excluded = hook?.namespaceSelector?.matchExpressions?.find((e) => e.key === 'kubernetes.io/metadata.name');
    expect(excluded).toMatchObject({ operator: 'NotIn' });
    expect(excluded?.values).toEqual(expect.arrayContaining(['kube-system', 'weft-system']));
    expect(hook?.objectSelector?.matchExpressions).toContainEqual({
      key: 'weft.dev/control-plane-component',
      operator: 'DoesNotExist',
    });
    // The certificate script owns the caBundle; a value here would undo it on every apply.
    expect(hook?.clientConfig).not.toHaveProperty('caBundle');
  });
});
