import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Container, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../config.ts';
import { DEFAULT_INJECTOR_CONFIG } from '../config.ts';
import { IDENTITY_AUDIENCE } from '../containers.ts';
import { applyPatch } from '../json-patch.ts';
import { injectPod } from '../transform.ts';
import { buildWebhook } from '../webhook.ts';
import { crdErrors, DEPLOY_DIR, loadCrds } from './crd-validator.ts';

// Docker cannot run here, so the manifests are checked the way a failed
// `kubectl apply` or a pod stuck in ContainerCreating would reveal them.

// biome-ignore lint/suspicious/noExplicitAny: manifests are arbitrary Kubernetes objects, narrowed by each check
type Loose = any;
type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: Loose };
  [k: string]: Loose;
};

function load(dir: string): K8sObject[] {
  return readdirSync(join(DEPLOY_DIR, dir))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(DEPLOY_DIR, dir, f), 'utf8')).map((d) => {
        expect(d.errors, `${dir}/${f}`).toEqual([]);
        return d.toJS() as K8sObject;
      }),
    )
    .filter(Boolean);
}

const objects = [...load('control-plane'), ...load('emojivoto')];
const scripts = ['identity-certs.sh', 'webhook-certs.sh'].map((f) =>
  readFileSync(join(DEPLOY_DIR, 'scripts', f), 'utf8'),
);
// ConfigMaps and Secrets made at install time by the certificate scripts.
const scripted = [...scripts.join('\n').matchAll(/kubectl create (configmap|secret \w+) (\S+)/g)].map(
  (m) => `${m[1] === 'configmap' ? 'ConfigMap' : 'Secret'}/weft-system/${m[2]}`,
);

const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const exists = (kind: string, ns: string, name: string) =>
  objects.some((o) => key(o) === `${kind}/${kind === 'Namespace' ? '' : ns}/${name}`) ||
  scripted.includes(`${kind}/${ns}/${name}`);
const deployments = objects.filter((o) => o.kind === 'Deployment');
const services = objects.filter((o) => o.kind === 'Service');
const podsBehind = (svc: K8sObject) =>
  deployments.filter(
    (d) =>
      d.metadata.namespace === svc.metadata.namespace &&
      Object.entries(svc.spec.selector ?? {}).every(([k, v]) => d.spec.template.metadata.labels?.[k] === v),
  );
const containerPorts = (spec: V1PodSpec) => spec.containers.flatMap((c) => c.ports ?? []);

/** The environment the injector gives emojivoto web's proxy. */
function injectedWebProxyEnv(): Record<string, string | undefined> {
  const web = deployments.find((d) => d.metadata.name === 'web' && d.metadata.namespace === 'emojivoto');
  const pod: V1Pod = { metadata: web?.spec.template.metadata, spec: web?.spec.template.spec };
  const result = injectPod(
    { pod, namespace: 'emojivoto', namespaceAnnotations: { 'weft.dev/inject': 'enabled' } },
    DEFAULT_INJECTOR_CONFIG,
  );
  if (result.kind !== 'injected') throw new Error(result.message);
  const proxy = applyPatch(pod, result.patch).spec?.initContainers?.find((c) => c.name === 'weft-proxy');
  return Object.fromEntries((proxy?.env ?? []).map((e) => [e.name, e.value]));
}

describe('deploy/ manifests', () => {
  it('parse, including the kind config', () => {
    expect(objects.length).toBeGreaterThan(20);
    const kind = parseAllDocuments(readFileSync(join(DEPLOY_DIR, 'kind/cluster.yaml'), 'utf8'))[0]?.toJS();
    expect(kind).toMatchObject({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4' });
  });

  it('put every namespaced object in a namespace the manifests create', () => {
    for (const o of objects.filter((x) => x.metadata.namespace)) {
      expect(exists('Namespace', '', o.metadata.namespace as string), key(o)).toBe(true);
    }
  });

  it('reference only ServiceAccounts, ConfigMaps and Secrets that exist', () => {
    for (const d of deployments) {
      const ns = d.metadata.namespace as string;
      const spec: V1PodSpec = d.spec.template.spec;
      if (spec.serviceAccountName) expect(exists('ServiceAccount', ns, spec.serviceAccountName), key(d)).toBe(true);
      for (const v of spec.volumes ?? []) {
        if (v.configMap) expect(exists('ConfigMap', ns, v.configMap.name as string), `${key(d)} ${v.name}`).toBe(true);
        if (v.secret) expect(exists('Secret', ns, v.secret.secretName as string), `${key(d)} ${v.name}`).toBe(true);
      }
      const portNames = new Set(containerPorts(spec).map((p) => p.name));
      for (const c of spec.containers as V1Container[]) {
        for (const probe of [c.readinessProbe, c.livenessProbe]) {
          const port = probe?.httpGet?.port;
          if (typeof port === 'string') expect(portNames.has(port), `${key(d)} probe port ${port}`).toBe(true);
        }
      }
    }
    for (const b of objects.filter((o) => o.kind === 'ClusterRoleBinding')) {
      expect(exists('ClusterRole', '', b.roleRef.name), key(b)).toBe(true);
      for (const s of b.subjects) expect(exists('ServiceAccount', s.namespace, s.name), key(b)).toBe(true);
    }
  });

  it('give every Service pods to select, listening on its targetPorts', () => {
    for (const svc of services) {
      const pods = podsBehind(svc);
      expect(pods.length, key(svc)).toBeGreaterThan(0);
      for (const p of svc.spec.ports) {
        const target = p.targetPort ?? p.port;
        for (const d of pods) {
          const ports = containerPorts(d.spec.template.spec);
          const match = ports.some((cp) =>
            typeof target === 'number' ? cp.containerPort === target : cp.name === target,
          );
          expect(match, `${key(svc)} port ${p.name} -> ${target} on ${key(d)}`).toBe(true);
        }
      }
    }
  });

  it('lay out emojivoto as Linkerd’s workshops expect', () => {
    const ns = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'emojivoto');
    expect(ns?.metadata.annotations).toEqual({ 'weft.dev/inject': 'enabled' });
    const emojivoto = (kind: string) => objects.filter((o) => o.kind === kind && o.metadata.namespace === 'emojivoto');
    expect(
      emojivoto('ServiceAccount')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['emoji', 'voting', 'web']);
    expect(
      emojivoto('Deployment')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['emoji', 'vote-bot', 'voting', 'web']);
    for (const d of emojivoto('Deployment')) expect(d.spec.template.metadata.labels.version).toBe('v11');
    const ports = (name: string) =>
      services
        .find((s) => s.metadata.name === name)
        ?.spec.ports.map(
          (p: { name: string; port: number; targetPort: number }) => `${p.name}:${p.port}->${p.targetPort}`,
        );
    expect(ports('web-svc')).toEqual(['http:80->8080']);
    expect(ports('emoji-svc')).toEqual(['grpc:8080->8080', 'prom:8801->8801']);
    expect(ports('voting-svc')).toEqual(['grpc:8080->8080', 'prom:8801->8801']);
  });

  it('ship ServiceProfiles that the CRD accepts, each named for an emojivoto Service', () => {
    const crds = loadCrds();
    const profiles = load('emojivoto/profiles');
    expect(profiles.map((p) => p.metadata.name).sort()).toEqual([
      'emoji-svc.emojivoto.svc.cluster.local',
      'voting-svc.emojivoto.svc.cluster.local',
      'web-svc.emojivoto.svc.cluster.local',
    ]);
    for (const p of profiles) {
      expect(crdErrors(crds, p), p.metadata.name).toEqual([]);
      const [svc, ns] = p.metadata.name.split('.');
      expect(exists('Service', ns as string, svc as string), p.metadata.name).toBe(true);
    }
  });

  it('point injected proxies at control-plane Services run by the identities they expect', () => {
    const env = injectedWebProxyEnv();
    const addrs = { DESTINATION: 'DESTINATION_ADDR', POLICY: 'POLICY_SVC_ADDR', IDENTITY: 'IDENTITY_SVC_ADDR' };
    for (const [api, addr] of Object.entries(addrs)) {
      const [host, port] = (env[`WEFT_PROXY_${addr}`] as string).split(/\.:|:/);
      const [name, ns] = (host as string).split('.');
      const svc = services.find((s) => s.metadata.name === name && s.metadata.namespace === ns);
      expect(svc, `${api} Service ${name}.${ns}`).toBeDefined();
      expect(svc?.spec.ports.map((p: { port: number }) => p.port)).toContain(Number(port));
      const sa = (env[`WEFT_PROXY_${api}_SVC_NAME`] as string).split('.')[0];
      for (const d of podsBehind(svc as K8sObject)) expect(d.spec.template.spec.serviceAccountName, api).toBe(sa);
    }
  });

  it('certify the control plane as the identity proxies expect, with a projected token the identity service accepts', () => {
    const cp = deployments.find((d) => d.metadata.name === 'weft-destination');
    const spec: V1PodSpec = cp?.spec.template.spec;
    const container = spec.containers[0] as V1Container;
    const env = new Map((container.env ?? []).map((e) => [e.name, e]));
    const anchors = env.get('WEFT_CP_IDENTITY_TRUST_ANCHORS')?.valueFrom?.configMapKeyRef;
    expect(exists('ConfigMap', 'weft-system', anchors?.name as string)).toBe(true);
    expect(anchors?.key).toBe('ca-bundle.crt');
    const cfg = loadConfig((name) => (name.endsWith('TRUST_ANCHORS') ? 'from the ConfigMap' : env.get(name)?.value));
    expect(cfg.listen.host).toBe('0.0.0.0');
    // The name injected proxies check on destination and policy is this ServiceAccount's identity.
    const proxyEnv = injectedWebProxyEnv();
    expect(cfg.identity?.name).toBe(proxyEnv.WEFT_PROXY_DESTINATION_SVC_NAME);
    expect(cfg.identity?.name).toBe(proxyEnv.WEFT_PROXY_POLICY_SVC_NAME);
    expect(cfg.identity?.name.split('.')[0]).toBe(spec.serviceAccountName);
    expect(cfg.identity?.serviceName).toBe(proxyEnv.WEFT_PROXY_IDENTITY_SVC_NAME);
    expect(cfg.identity?.serviceAddr).toBe(proxyEnv.WEFT_PROXY_IDENTITY_SVC_ADDR);
    // The token file is a projected ServiceAccount token for identity's audience.
    const tokenFile = cfg.identity?.tokenFile as string;
    const mount = container.volumeMounts?.find((m) => tokenFile.startsWith(`${m.mountPath}/`));
    const volume = spec.volumes?.find((v) => v.name === mount?.name);
    const source = volume?.projected?.sources?.[0]?.serviceAccountToken;
    expect(source?.audience).toBe(IDENTITY_AUDIENCE);
    expect(`${mount?.mountPath}/${source?.path}`).toBe(tokenFile);
  });

  it('send admission reviews to the injector’s Service, port and route', async () => {
    const config = objects.find((o) => o.kind === 'MutatingWebhookConfiguration');
    if (!config) throw new Error('no MutatingWebhookConfiguration in deploy/control-plane');
    const { service } = config.webhooks[0].clientConfig;
    const svc = services.find((s) => s.metadata.name === service.name && s.metadata.namespace === service.namespace);
    expect(svc?.spec.ports.map((p: { port: number }) => p.port)).toContain(service.port);
    const app = buildWebhook({ config: DEFAULT_INJECTOR_CONFIG, lookupNamespace: async () => ({}) });
    await app.ready();
    expect(app.hasRoute({ method: 'POST', url: service.path })).toBe(true);
    await app.close();
    // The certificate script writes the caBundle into this configuration.
    expect(scripts[1]).toContain(`WEBHOOK=${config.metadata.name}\n`);
  });

  it('let the control plane watch every Weft resource kind', () => {
    const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'weft-destination');
    for (const crd of loadCrds().values()) {
      const plural = `${crd.kind.toLowerCase()}s`.replace(/ys$/, 'ies');
      const rule = role?.rules.find(
        (r: { apiGroups: string[]; resources: string[] }) =>
          r.apiGroups.includes(crd.group) && r.resources.includes(plural),
      );
      expect(rule?.verbs, `${plural}.${crd.group}`).toEqual(expect.arrayContaining(['list', 'watch']));
    }
    const identity = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'weft-identity');
    expect(identity?.rules).toContainEqual({
      apiGroups: ['authentication.k8s.io'],
      resources: ['tokenreviews'],
      verbs: ['create'],
    });
  });

  it('ship the commands the injected containers run, and copy only paths that exist', () => {
    expect(existsSync(join(DEPLOY_DIR, 'docker/bin/weft-proxy'))).toBe(true);
    expect(existsSync(join(DEPLOY_DIR, 'docker/bin/weft-proxy-init'))).toBe(true);
    const root = join(DEPLOY_DIR, '..');
    // Every component the image's entrypoint can start is a file in the repository.
    const dispatch = readFileSync(join(DEPLOY_DIR, 'docker/bin/weft-component'), 'utf8');
    const entries = [...dispatch.matchAll(/exec node (?:--\S+ )*\/weft\/(\S+)/g)].map((m) => m[1] as string);
    expect(entries).toHaveLength(5);
    for (const entry of entries) expect(existsSync(join(root, entry)), entry).toBe(true);
    for (const file of ['docker/mesh.Dockerfile', 'docker/emojivoto.Dockerfile']) {
      const text = readFileSync(join(DEPLOY_DIR, file), 'utf8');
      // The base is a build argument, node:24-slim unless build.sh names its local one.
      expect(text).toMatch(/^ARG BASE=node:24-slim$/m);
      // COPY --from takes from a build stage, not from the repository.
      for (const m of text.matchAll(/^COPY (?!--from=)(.+) \S+$/gm)) {
        for (const src of (m[1] as string).split(' '))
          expect(existsSync(join(root, src)), `${file}: ${src}`).toBe(true);
      }
    }
  });
});
