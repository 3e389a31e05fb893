import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { V1Container, V1Volume } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { compileCrdSchemas } from '../src/crd-schemas.ts';
import type { K8sObject } from '../src/k8s-object.ts';
import { formatError, validateDocuments } from '../src/validate.ts';
import { parseDocuments, REPO_ROOT } from '../src/yaml-documents.ts';
import type { V1Deployment, V1MutatingWebhookConfiguration } from './deploy-objects.ts';
import { deployObjects, ofKind } from './deploy-objects.ts';

// The certificate scripts run here with --print (no cluster): what they would
// apply must validate, and what they make must work. The injector runs as a
// real process with its Deployment's environment and its volumes laid out
// from the scripts' Secret and ConfigMap, and is called the way the API
// server calls it: trusting only the caBundle, by the Service's DNS name.

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'weft-cert-scripts-'));
let injector: ChildProcess | undefined;
afterAll(() => {
  injector?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

async function printScript(script: string, dir: string): Promise<{ objects: K8sObject[]; stdout: string }> {
  const { stdout } = await run(join(REPO_ROOT, 'deploy/scripts', script), ['--print', dir], { cwd: REPO_ROOT });
  const docs = parseDocuments(stdout, `${script} --print`);
  expect((await validateDocuments(docs, compileCrdSchemas([]))).map(formatError)).toEqual([]);
  return { objects: docs.map((d) => d.object), stdout };
}

/** A Secret's or ConfigMap's keys as the kubelet writes them into a volume. */
function writeVolume(dir: string, source: K8sObject): void {
  mkdirSync(dir, { recursive: true });
  const data = (source.data ?? {}) as Record<string, string>;
  for (const [key, value] of Object.entries(data)) {
    writeFileSync(join(dir, key), source.kind === 'Secret' ? Buffer.from(value, 'base64') : value);
  }
}

/** The container's environment, with every path under a volume mount moved to where `mount` put that volume. */
function podEnvironment(c: V1Container, volumes: V1Volume[], mount: (v: V1Volume) => string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    let value = e.value ?? '';
    for (const m of c.volumeMounts ?? []) {
      const volume = volumes.find((v) => v.name === m.name) as V1Volume;
      if (value.startsWith(`${m.mountPath}/`)) value = join(mount(volume), value.slice(m.mountPath.length + 1));
    }
    env[e.name] = value;
  }
  return env;
}

function startProcess(args: string[], env: Record<string, string>, listening: RegExp): Promise<number> {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, ...env }, stdio: 'pipe' });
  injector = child;
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = listening.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

function post(port: number, ca: string, servername: string, path: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        ca,
        servername,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('deploy/scripts/identity-certs.sh --print', () => {
  it('makes an issuer the trust anchor signed, as the ConfigMap and Secret the control plane mounts', async () => {
    const dir = join(work, 'identity');
    const { objects } = await printScript('identity-certs.sh', dir);
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'ConfigMap/weft-identity-trust-roots',
      'Secret/weft-identity-issuer',
    ]);
    const anchors = (objects[0]?.data ?? {}) as Record<string, string>;
    expect(anchors['ca-bundle.crt']).toBe(readFileSync(join(dir, 'ca.crt'), 'utf8'));
    const { stdout } = await run('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'issuer.crt')]);
    expect(stdout).toContain(': OK');
  });
});

describe('deploy/scripts/webhook-certs.sh --print', () => {
  it('gives the injector a certificate the API server trusts through the caBundle', async () => {
    const certs = join(work, 'webhook');
    const { objects, stdout } = await printScript('webhook-certs.sh', certs);
    const [secret] = objects;
    expect(`${secret?.kind}/${secret?.metadata?.namespace}/${secret?.metadata?.name}`).toBe(
      'Secret/weft-system/weft-proxy-injector-k8s-tls',
    );
    // Its CA signed one certificate and is gone: rotation makes a new one.
    expect(existsSync(join(certs, 'webhook-ca.key'))).toBe(false);

    // The patch the script applies, onto the webhook configuration in deploy/control-plane.
    const patch = JSON.parse(/^# (\[.*\])$/m.exec(stdout)?.[1] ?? '[]') as {
      op: string;
      path: string;
      value: string;
    }[];
    expect(patch.map((p) => `${p.op} ${p.path}`)).toEqual(['add /webhooks/0/clientConfig/caBundle']);
    const cp = deployObjects('control-plane');
    const [config] = ofKind<V1MutatingWebhookConfiguration>(cp, 'MutatingWebhookConfiguration');
    const hook = config?.webhooks?.[0];
    if (!hook?.clientConfig.service) throw new Error('the webhook names no Service');
    const patched = {
      ...config,
      webhooks: [{ ...hook, clientConfig: { ...hook.clientConfig, caBundle: patch[0]?.value } }],
    };
    const docs = [{ file: 'patched webhook configuration', index: 0, object: patched as K8sObject, parseErrors: [] }];
    expect((await validateDocuments(docs, compileCrdSchemas([]))).map(formatError)).toEqual([]);

    // The injector's pod: its Deployment's environment and volumes, from the scripts' objects.
    const { objects: identity } = await printScript('identity-certs.sh', join(work, 'anchors'));
    const sources = [...identity, ...objects];
    const deployment = ofKind<V1Deployment>(cp, 'Deployment').find((d) => d.metadata?.name === 'weft-proxy-injector');
    const pod = deployment?.spec?.template.spec;
    const volumes = pod?.volumes ?? [];
    const mount = (v: V1Volume) => join(work, 'volumes', v.name);
    for (const v of volumes) {
      const name = v.secret?.secretName ?? v.configMap?.name;
      const source = sources.find((o) => o.metadata?.name === name);
      expect(source, `volume ${v.name} from ${name}`).toBeDefined();
      writeVolume(mount(v), source as K8sObject);
    }
    const env = podEnvironment(pod?.containers[0] as V1Container, volumes, mount);
    // No cluster: namespace lookups fail, and the pod's own namespace annotation is enough.
    writeFileSync(join(work, 'kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    const port = await startProcess(
      [join(REPO_ROOT, 'packages/control-plane/src/injector-main.ts')],
      { ...env, WEFT_INJECTOR_PORT: '0', KUBECONFIG: join(work, 'kubeconfig') },
      /Server listening at https:\/\/[^:\s]+:(\d+)/,
    );

    const review = JSON.parse(
      readFileSync(join(REPO_ROOT, 'packages/control-plane/src/injector/fixtures/web-pod-review.json'), 'utf8'),
    );
    review.request.object.metadata.annotations = { 'weft.dev/inject': 'enabled' };
    const { name, namespace, path } = hook.clientConfig.service;
    const ca = Buffer.from(patch[0]?.value ?? '', 'base64').toString();
    const answer = JSON.parse(await post(port, ca, `${name}.${namespace}.svc`, path ?? '/', JSON.stringify(review)));
    expect(answer.response).toMatchObject({ uid: review.request.uid, allowed: true, patchType: 'JSONPatch' });
    const ops = JSON.parse(Buffer.from(answer.response.patch, 'base64').toString());
    expect(JSON.stringify(ops)).toContain('weft-proxy');
    // A name the certificate was not made for is refused, as the API server would refuse it.
    await expect(post(port, ca, 'weft-proxy-injector.default.svc', '/inject', '{}')).rejects.toThrow(/altnames/);
  });
});
