import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selfSignedWebhookTls } from './webhook-tls.ts';

// The injector as it runs in its pod: a real process, configured by
// environment, serving HTTPS with the certificate it is given.
const dir = mkdtempSync(join(tmpdir(), 'weft-injector-main-'));
const tls = selfSignedWebhookTls(['localhost']);
writeFileSync(join(dir, 'tls.crt'), tls.cert);
writeFileSync(join(dir, 'tls.key'), tls.key);
writeFileSync(join(dir, 'ca-bundle.crt'), '-----BEGIN CERTIFICATE-----\nanchor\n-----END CERTIFICATE-----\n');
// No cluster here: an empty kubeconfig makes namespace lookups fail, which the
// injector must survive.
writeFileSync(join(dir, 'kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

function start(): Promise<number> {
  child = spawn(process.execPath, [new URL('../injector-main.ts', import.meta.url).pathname], {
    env: {
      PATH: process.env.PATH,
      KUBECONFIG: join(dir, 'kubeconfig'),
      WEFT_INJECTOR_PORT: '0',
      WEFT_INJECTOR_TLS_CERT_FILE: join(dir, 'tls.crt'),
      WEFT_INJECTOR_TLS_KEY_FILE: join(dir, 'tls.key'),
      WEFT_INJECTOR_TRUST_ANCHORS_FILE: join(dir, 'ca-bundle.crt'),
      WEFT_INJECTOR_PROXY_IMAGE: 'registry.local/weft/mesh:test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Server listening at https:\/\/[^:\s]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child?.stdout?.on('data', onData);
    child?.stderr?.on('data', onData);
    child?.on('exit', (code) => reject(new Error(`injector exited ${code}: ${out}`)));
  });
}

describe('injector-main', () => {
  it('serves the webhook with the configured certificate, image and trust anchors', async () => {
    const port = await start();
    const review = JSON.parse(readFileSync(new URL('./fixtures/web-pod-review.json', import.meta.url), 'utf8'));
    review.request.object.metadata.annotations = { 'weft.dev/inject': 'enabled' };
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/inject', method: 'POST', ca: tls.cert, servername: 'localhost' },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.setHeader('content-type', 'application/json');
      req.end(JSON.stringify(review));
    });
    const { response } = JSON.parse(body);
    expect(response.warnings?.[0]).toMatch(/WEFT_CP_INJECT_NAMESPACE_LOOKUP/);
    const patch = JSON.parse(Buffer.from(response.patch, 'base64').toString());
    const init = patch.find((op: { path: string }) => op.path === '/spec/initContainers').value;
    expect(init.map((c: { image: string }) => c.image)).toEqual([
      'registry.local/weft/mesh:test',
      'registry.local/weft/mesh:test',
    ]);
    const anchors = init[1].env.find((e: { name: string }) => e.name === 'WEFT_PROXY_IDENTITY_TRUST_ANCHORS');
    expect(anchors.value).toContain('anchor');
  });
});
