import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { V1Job, V1Service } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { compileCrdSchemas } from '../src/crd-schemas.ts';
import { formatError, validateDocuments } from '../src/validate.ts';
import { parseDocuments, REPO_ROOT, readDocuments } from '../src/yaml-documents.ts';
import { deployObjects, ofKind } from './deploy-objects.ts';

// k6 itself cannot run here (it is on neither npm nor Debian), so the Job is
// checked for what would make it fail in a cluster: a script that drifted
// from loadtests/k6, a mount or a variable that does not line up, a target
// that is not emojivoto's web Service.

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'weft-loadtest-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SCRIPT = 'loadtests/k6/emojivoto.js';
const script = readFileSync(join(REPO_ROOT, SCRIPT), 'utf8');
const loadtest = deployObjects('loadtest');
const [job] = ofKind<V1Job>(loadtest, 'Job');
const [configMap] = ofKind<{ metadata: { name: string; namespace: string }; data: Record<string, string> }>(
  loadtest,
  'ConfigMap',
);
const pod = job?.spec?.template.spec;
const k6 = pod?.containers[0];
const env = new Map((k6?.env ?? []).map((e) => [e.name, e.value]));

describe('the k6 Job in deploy/loadtest', () => {
  it('mounts loadtests/k6/emojivoto.js as committed, byte for byte', () => {
    expect(configMap?.metadata).toMatchObject({ name: 'k6-emojivoto-script', namespace: job?.metadata?.namespace });
    expect(configMap?.data).toEqual({ 'emojivoto.js': script });
  });

  it('has its ConfigMap as configmap.sh writes it from the script', async () => {
    const out = join(work, 'k6-script.yaml');
    await run(join(REPO_ROOT, 'deploy/loadtest/configmap.sh'), [out]);
    const generated = readDocuments(out).map((d) => d.object);
    expect(generated).toEqual([configMap]);
  });

  it('runs the mounted script', () => {
    const volume = pod?.volumes?.find((v) => v.configMap?.name === configMap?.metadata.name);
    const mount = k6?.volumeMounts?.find((m) => m.name === volume?.name);
    expect(k6?.args).toContain(`${mount?.mountPath}/emojivoto.js`);
  });

  it('sets every variable the script reads, and only those (and k6’s own)', () => {
    const read = new Set([...script.matchAll(/__ENV\.(\w+)/g)].map((m) => m[1]));
    expect(read.size).toBeGreaterThan(3);
    expect([...env.keys()].filter((k) => !k.startsWith('K6_')).sort()).toEqual([...read].sort());
  });

  it('targets emojivoto’s web Service on a port it serves', () => {
    const url = new URL(env.get('WEB_URL') ?? '');
    const [name, namespace] = url.hostname.split('.');
    const web = ofKind<V1Service>(deployObjects('emojivoto'), 'Service').find(
      (s) => s.metadata?.name === name && s.metadata?.namespace === namespace,
    );
    expect(web?.spec?.ports?.map((p) => p.port)).toContain(Number(url.port || 80));
  });

  it('runs in a namespace the manifests create, as their ServiceAccount', () => {
    const ns = loadtest.find((o) => o.kind === 'Namespace');
    expect(ns?.metadata?.name).toBe(job?.metadata?.namespace);
    const sa = loadtest.find((o) => o.kind === 'ServiceAccount');
    expect(sa?.metadata).toMatchObject({ name: pod?.serviceAccountName, namespace: job?.metadata?.namespace });
  });

  it('takes new rates and a duration through kubectl set env, offline, and still validates', async () => {
    const { stdout } = await run(
      'kubectl',
      ['set', 'env', '--local', '-f', 'deploy/loadtest/k6-job.yaml', 'LIST_RATE=100', 'DURATION=5m', '-o', 'yaml'],
      { cwd: REPO_ROOT, env: { ...process.env, KUBECONFIG: join(work, 'no-kubeconfig') } },
    );
    const docs = parseDocuments(stdout, 'kubectl set env --local');
    expect((await validateDocuments(docs, compileCrdSchemas([]))).map(formatError)).toEqual([]);
    const changed = (docs[0]?.object as V1Job | undefined)?.spec?.template.spec?.containers[0]?.env ?? [];
    expect(Object.fromEntries(changed.map((e) => [e.name, e.value]))).toMatchObject({
      LIST_RATE: '100',
      DURATION: '5m',
      VOTE_RATE: env.get('VOTE_RATE'),
    });
  });

  it('defaults, without WEB_URL, to the web URL of `weft dev`, so it runs there unchanged', async () => {
    expect(script).toContain("const WEB_URL = __ENV.WEB_URL || 'http://localhost:8080';");
    const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'packages/cli/src/main.ts'), 'dev', '--help']);
    expect(stdout).toMatch(/--web-port PORT .*\(default 8080/);
  });
});
