import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { V1PodSpec } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { compileCrdSchemas } from '../src/crd-schemas.ts';
import type { K8sObject } from '../src/k8s-object.ts';
import { formatError, validateDocuments } from '../src/validate.ts';
import { REPO_ROOT } from '../src/yaml-documents.ts';
import type { V1Deployment, V1MutatingWebhookConfiguration } from './deploy-objects.ts';
import { deployObjects, ofKind } from './deploy-objects.ts';
import { podEnvironment, printScript, startNode } from './pod-runner.ts';

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

async function printValid(script: string, dir: string): Promise<{ objects: K8sObject[]; stdout: string }> {
  const printed = await printScript(script, dir);
  const docs = printed.objects.map((object, index) => ({ file: `${script} --print`, index, object, parseErrors: [] }));
  expect((await validateDocuments(docs, compileCrdSchemas([]))).map(formatError)).toEqual([]);
  return printed;
}

/** An HTTPS call trusting only `ca`, by `servername`: a POST with a body, or a GET (a probe) without. */
function call(
  port: number,
  ca: string,
  servername: string,
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: body === undefined ? 'GET' : 'POST',
        ca,
        servername,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('deploy/scripts/identity-certs.sh --print', () => {
  it('makes an issuer the trust anchor signed, as the ConfigMap and Secret the control plane mounts', async () => {
    const dir = join(work, 'identity');
    const { objects } = await printValid('identity-certs.sh', dir);
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
    const { objects, stdout } = await printValid('webhook-certs.sh', certs);
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
    const { objects: identity } = await printValid('identity-certs.sh', join(work, 'anchors'));
    const deployment = ofKind<V1Deployment>(cp, 'Deployment').find((d) => d.metadata?.name === 'weft-proxy-injector');
    const env = podEnvironment(deployment?.spec?.template.spec as V1PodSpec, [...identity, ...objects], work);
    // No cluster: namespace lookups fail, and the pod's own namespace annotation is enough.
    writeFileSync(join(work, 'kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    const started = startNode(
      'packages/control-plane/src/injector-main.ts',
      { ...env, WEFT_INJECTOR_PORT: '0', KUBECONFIG: join(work, 'kubeconfig') },
      /Server listening at https:\/\/[^:\s]+:(\d+)/,
    );
    injector = started.child;
    const port = await started.port;

    const review = JSON.parse(
      readFileSync(join(REPO_ROOT, 'packages/control-plane/src/injector/fixtures/web-pod-review.json'), 'utf8'),
    );
    review.request.object.metadata.annotations = { 'weft.dev/inject': 'enabled' };
    const { name, namespace, path } = hook.clientConfig.service;
    const ca = Buffer.from(patch[0]?.value ?? '', 'base64').toString();
    const svcName = `${name}.${namespace}.svc`;
    const answer = JSON.parse((await call(port, ca, svcName, path ?? '/', JSON.stringify(review))).text);
    expect(answer.response).toMatchObject({ uid: review.request.uid, allowed: true, patchType: 'JSONPatch' });
    const ops = JSON.parse(Buffer.from(answer.response.patch, 'base64').toString());
    expect(JSON.stringify(ops)).toContain('weft-proxy');
    // A name the certificate was not made for is refused, as the API server would refuse it.
    await expect(call(port, ca, 'weft-proxy-injector.default.svc', '/inject', '{}')).rejects.toThrow(/altnames/);
    // The kubelet's probes, on the paths the Deployment names.
    const container = deployment?.spec?.template.spec?.containers[0];
    for (const p of [container?.readinessProbe, container?.livenessProbe]) {
      expect(p?.httpGet?.scheme).toBe('HTTPS');
      expect((await call(port, ca, svcName, p?.httpGet?.path ?? '')).status, p?.httpGet?.path).toBe(200);
    }
  });
});
