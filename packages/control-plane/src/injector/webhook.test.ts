import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { V1Pod } from '@kubernetes/client-node';
import { promtoolProblems } from '@weft/api/testing/promtool';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionReviewResponse } from './admission.ts';
import { DEFAULT_INJECTOR_CONFIG } from './config.ts';
import type { PatchOperation } from './json-patch.ts';
import { applyPatch } from './json-patch.ts';
import { buildWebhook } from './webhook.ts';
import { selfSignedWebhookTls } from './webhook-tls.ts';

const fixture = readFileSync(new URL('./fixtures/web-pod-review.json', import.meta.url), 'utf8');
const namespaces: Record<string, Record<string, string>> = { emojivoto: { 'weft.dev/inject': 'enabled' } };
const asked: string[] = [];

let app: FastifyInstance;
let port: number;
let ca: string;

beforeAll(async () => {
  // A real self-signed certificate, as the API server would be given in caBundle.
  const tls = selfSignedWebhookTls(['localhost']);
  ca = tls.cert;
  app = buildWebhook({
    config: DEFAULT_INJECTOR_CONFIG,
    tls,
    bodyLimit: 256 * 1024,
    lookupNamespace: async (name) => {
      asked.push(name);
      if (name === 'broken') throw new Error('connection refused');
      return namespaces[name] ?? {};
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await app?.close();
});

function get(path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, ca, servername: 'localhost' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    })
      .on('error', reject)
      .end();
  });
}

function post(body: string | Buffer, path = '/inject'): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        ca,
        servername: 'localhost',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const withObject = (mutate: (review: { request: Record<string, unknown> }) => void) => {
  const review = JSON.parse(fixture);
  mutate(review);
  return JSON.stringify(review);
};

describe('injector webhook over HTTPS', () => {
  it('answers the web pod review with a JSON patch that adds the proxy', async () => {
    const { status, json } = await post(fixture);
    expect(status).toBe(200);
    const { response } = json as unknown as AdmissionReviewResponse;
    expect(response.uid).toBe('0c5d6c1a-7f3e-4c2b-9d51-3f1e2a7b9c10');
    expect(response.allowed).toBe(true);
    expect(response.patchType).toBe('JSONPatch');
    expect(asked).toContain('emojivoto');
    const patch = JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString()) as PatchOperation[];
    const pod = applyPatch(JSON.parse(fixture).request.object as V1Pod, patch);
    expect(pod.spec?.initContainers?.map((c) => c.name)).toEqual(['weft-init', 'weft-proxy']);
  });

  it('sends no patch for a pod that is already injected', async () => {
    const first = (await post(fixture)).json as unknown as AdmissionReviewResponse;
    const patch = JSON.parse(Buffer.from(first.response.patch ?? '', 'base64').toString()) as PatchOperation[];
    const injected = applyPatch(JSON.parse(fixture).request.object, patch);
    const { json } = await post(withObject((r) => (r.request.object = injected)));
    const { response } = json as unknown as AdmissionReviewResponse;
    expect(response.patch).toBeUndefined();
    expect(response.status?.message).toMatch(/already has the weft-proxy sidecar/);
  });

  it('admits a pod in a namespace it cannot read, unpatched, with a warning', async () => {
    const { json } = await post(withObject((r) => (r.request.namespace = 'broken')));
    const { response } = json as unknown as AdmissionReviewResponse;
    expect(response.allowed).toBe(true);
    expect(response.patch).toBeUndefined();
    expect(response.warnings?.[0]).toMatch(/WEFT_CP_INJECT_NAMESPACE_LOOKUP/);
  });

  it('admits a pod with a bad config annotation unpatched and says why', async () => {
    const body = withObject((r) => {
      (r.request.object as V1Pod).metadata = { annotations: { 'config.weft.dev/proxy-memory-limit': 'plenty' } };
    });
    const { response } = (await post(body)).json as unknown as AdmissionReviewResponse;
    expect(response.patch).toBeUndefined();
    expect(response.warnings).toEqual([expect.stringMatching(/config\.weft\.dev\/proxy-memory-limit: "plenty"/)]);
  });
});

describe('injector metrics', () => {
  it('counts reviews by namespace and outcome under Linkerd’s metric names', async () => {
    const count = (text: string, series: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${series} `))
          ?.split(' ')[1] ?? 0,
      );
    const injected = 'proxy_inject_admission_responses_total{namespace="emojivoto",skip="false",reason=""}';
    const skipped =
      'proxy_inject_admission_responses_total{namespace="quiet",skip="true",reason="injection-not-enabled"}';
    const before = (await get('/metrics')).text;
    await post(fixture);
    await post(withObject((r) => (r.request.namespace = 'quiet')));
    const { status, text } = await get('/metrics');
    expect(status).toBe(200);
    expect(count(text, injected)).toBe(count(before, injected) + 1);
    expect(count(text, skipped)).toBe(count(before, skipped) + 1);
    expect(text).toContain('# TYPE proxy_inject_admission_requests_total counter');
    expect(await promtoolProblems(text)).toEqual([]);
  });
});

describe('malformed reviews', () => {
  it('answers 400 with a code for a body that is not JSON', async () => {
    const { status, json } = await post('{"request": ');
    expect(status).toBe(400);
    expect(json.code).toBe('WEFT_CP_INJECT_INVALID_REVIEW');
  });

  it('answers 413 for a huge body and keeps serving', async () => {
    const { status } = await post(Buffer.alloc(512 * 1024, 0x20));
    expect(status).toBe(413);
    expect((await post(fixture)).status).toBe(200);
  });

  it('admits reviews without a request, without a pod, or with a non-object spec', async () => {
    for (const body of [
      '{}',
      '[]',
      'null',
      JSON.stringify({ request: { uid: 'u1', kind: { kind: 'Service' }, object: { spec: { ports: [] } } } }),
      withObject((r) => delete r.request.object),
      withObject((r) => ((r.request.object as Record<string, unknown>).spec = 'nope')),
      withObject((r) => ((r.request.object as Record<string, unknown>).spec = { containers: 'x' })),
    ]) {
      const { status, json } = await post(body);
      expect(status).toBe(200);
      const { response } = json as unknown as AdmissionReviewResponse;
      expect(response.allowed).toBe(true);
      expect(response.patch).toBeUndefined();
    }
  });

  it('survives random bytes without a 5xx', async () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 30; i++) {
      const bytes = Buffer.from(Array.from({ length: 1 + (rand() % 200) }, () => rand() % 256));
      const { status } = await post(bytes);
      expect(status).toBeLessThan(500);
    }
    expect((await post(fixture)).status).toBe(200);
  });
});
