import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { V1Deployment, V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { compileCrdSchemas } from '../src/crd-schemas.ts';
import type { YamlDocument } from '../src/k8s-object.ts';
import { formatError, validateDocuments } from '../src/validate.ts';
import { parseDocuments, REPO_ROOT, readDocuments, yamlFiles } from '../src/yaml-documents.ts';

const run = promisify(execFile);

// YAML under deploy/ that the API server never sees, and why.
const NOT_KUBERNETES_OBJECTS = new Map([
  ['deploy/kind/cluster.yaml', 'the kind CLI reads it to create the cluster'],
  ['deploy/local/prometheus.yml', 'the Prometheus configuration of `weft dev`'],
]);

const docs = yamlFiles(join(REPO_ROOT, 'deploy'), ['deploy/manifests']).flatMap(readDocuments);
const objects = docs.filter((d) => !NOT_KUBERNETES_OBJECTS.has(d.file));
const crds = compileCrdSchemas(docs.filter((d) => d.file.startsWith('deploy/crds/')));

const errorsOf = async (d: readonly YamlDocument[]) => (await validateDocuments(d, crds)).map(formatError);
const fixture = (name: string) => readDocuments(join(REPO_ROOT, 'deploy/manifests/test/fixtures', name));
const FIXTURES = 'deploy/manifests/test/fixtures';

async function weftInject(...args: string[]): Promise<YamlDocument[]> {
  const cli = join(REPO_ROOT, 'packages/cli/src/main.ts');
  const { stdout } = await run(process.execPath, [cli, 'inject', ...args], { cwd: REPO_ROOT });
  return parseDocuments(stdout, `weft inject ${args.join(' ')}`);
}
const EMOJIVOTO = 'deploy/emojivoto/emojivoto.yaml';

describe('every manifest under deploy/', () => {
  it('validates against the Kubernetes OpenAPI schema, or its CRD’s schema', async () => {
    expect(await errorsOf(objects)).toEqual([]);
  });

  it('is found, from every folder that ships manifests', () => {
    const kinds = new Set(objects.map((d) => `${d.file.split('/')[1]} ${String(d.object.kind)}`));
    for (const k of [
      'crds CustomResourceDefinition',
      'control-plane Deployment',
      'control-plane MutatingWebhookConfiguration',
      'control-plane PodDisruptionBudget',
      'emojivoto Deployment',
      'emojivoto ServiceProfile',
      'local HTTPRoute',
      'local Server',
      'loadtest Job',
      'loadtest ConfigMap',
      'viz Deployment',
    ]) {
      expect(kinds, k).toContain(k);
    }
    expect(crds.size).toBe(6);
  });

  it('that is not a Kubernetes object is one of the few listed, each of which exists', () => {
    for (const file of NOT_KUBERNETES_OBJECTS.keys()) expect(existsSync(join(REPO_ROOT, file)), file).toBe(true);
    const unversioned = objects.filter((d) => typeof d.object.apiVersion !== 'string');
    expect(unversioned.map((d) => d.file)).toEqual([]);
  });
});

describe('a broken manifest fails, naming its file, document and the schema’s complaint', () => {
  it('an unknown field', async () => {
    expect(await errorsOf(fixture('unknown-field.yaml'))).toEqual([
      `${FIXTURES}/unknown-field.yaml document 1: apps/v1 Deployment web: /spec/template/spec/containers/0/imagePulPolicy unknown field (V1Container has no such field)`,
    ]);
  });

  it('a wrong type', async () => {
    expect(await errorsOf(fixture('wrong-type.yaml'))).toEqual([
      `${FIXTURES}/wrong-type.yaml document 0: v1 Service web-svc: /spec/ports/0/port must be integer`,
    ]);
  });

  it('a custom resource its CRD refuses: a wrong type, an unknown field', async () => {
    expect(await errorsOf(fixture('custom-resource.yaml'))).toEqual([
      `${FIXTURES}/custom-resource.yaml document 0: weft.dev/v1alpha2 ServiceProfile web-svc.emojivoto.svc.cluster.local: /spec/retryBudget/retryRatio must be number (CRD deploy/crds/serviceprofiles.yaml)`,
      `${FIXTURES}/custom-resource.yaml document 1: weft.dev/v1alpha2 ServiceProfile voting-svc.emojivoto.svc.cluster.local: /spec/routes/0 must NOT have additional properties "retries" (CRD deploy/crds/serviceprofiles.yaml)`,
    ]);
  });

  it('a kind no schema covers', async () => {
    expect(await errorsOf(fixture('unknown-kind.yaml'))).toEqual([
      `${FIXTURES}/unknown-kind.yaml document 0: weft.dev/v1alpha1 TrafficSplit web-split: no schema for this apiVersion and kind (not built in, and no CRD in deploy/crds)`,
    ]);
  });

  it('YAML that does not parse', async () => {
    const errors = await errorsOf(parseDocuments('kind: Service\n  bad: [indent\n', 'broken.yaml'));
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e).toMatch(/^broken\.yaml document 0: YAML: /);
  });
});

describe('weft inject on deploy/emojivoto/emojivoto.yaml', () => {
  it('writes manifests that validate, every pod template annotated for the webhook', async () => {
    const out = await weftInject(EMOJIVOTO);
    expect(await errorsOf(out)).toEqual([]);
    const templates = out.filter((d) => d.object.kind === 'Deployment');
    expect(templates).toHaveLength(4);
    for (const d of templates) {
      expect(d.object, String(d.object.metadata?.name)).toMatchObject({
        spec: { template: { metadata: { annotations: { 'weft.dev/inject': 'enabled' } } } },
      });
    }
  });

  it('with --manual, writes the proxy and proxy-init into manifests that still validate', async () => {
    const out = await weftInject('--manual', EMOJIVOTO);
    expect(await errorsOf(out)).toEqual([]);
    const deployments = out.filter((d) => d.object.kind === 'Deployment').map((d) => d.object) as V1Deployment[];
    expect(deployments).toHaveLength(4);
    for (const d of deployments) {
      const [init, proxy] = d.spec?.template.spec?.initContainers ?? [];
      expect([init?.name, proxy?.name]).toEqual(['weft-init', 'weft-proxy']);
      // proxy-init alone may change the pod's network, and only that; the proxy nothing.
      expect(init?.securityContext?.capabilities).toEqual({ add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] });
      expect(proxy?.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
    }
  });

  it('with --manual on the k6 Job, runs the proxy as a native sidecar, so the Job still completes', async () => {
    const out = await weftInject('--manual', 'deploy/loadtest/');
    expect(await errorsOf(out)).toEqual([]);
    const job = out.find((d) => d.object.kind === 'Job')?.object as V1Job | undefined;
    const proxy = job?.spec?.template.spec?.initContainers?.find((c) => c.name === 'weft-proxy');
    expect(proxy?.restartPolicy).toBe('Always');
    expect(job?.spec?.template.spec?.containers.map((c) => c.name)).toEqual(['k6']);
  });
});
