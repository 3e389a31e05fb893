import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesNamespaceLookup } from './namespace-lookup.ts';
import { publishCaBundle } from './webhook-tls.ts';

// A real HTTP server answering the few API-server paths the injector calls,
// so the client library, paths and bodies are exercised end to end.
const api = Fastify();
const reads: string[] = [];
let webhookConfig: Record<string, unknown> = {
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'MutatingWebhookConfiguration',
  metadata: { name: 'weft-proxy-injector-webhook-config', resourceVersion: '7' },
  webhooks: [
    {
      name: 'weft-proxy-injector.weft.dev',
      clientConfig: {
        service: { name: 'weft-proxy-injector', namespace: 'weft-system', path: '/inject' },
        caBundle: '',
      },
      sideEffects: 'None',
      admissionReviewVersions: ['v1'],
    },
  ],
};
let kc: KubeConfig;

beforeAll(async () => {
  api.get<{ Params: { name: string } }>('/api/v1/namespaces/:name', async (req, reply) => {
    reads.push(req.params.name);
    if (req.params.name !== 'emojivoto') {
      return reply
        .code(404)
        .send({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
    }
    return {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'emojivoto', annotations: { 'weft.dev/inject': 'enabled' } },
    };
  });
  const path = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/weft-proxy-injector-webhook-config';
  api.get(path, async () => webhookConfig);
  api.put(path, async (req) => {
    webhookConfig = req.body as Record<string, unknown>;
    return webhookConfig;
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'test', server: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`, skipTLSVerify: true },
    ],
    users: [{ name: 'test' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
    currentContext: 'test',
  });
});
afterAll(() => api.close());

describe('namespace lookup against an API server', () => {
  it('returns the namespace annotations and asks once within the cache window', async () => {
    let now = 0;
    const lookup = kubernetesNamespaceLookup(kc, 5_000, () => now);
    expect(await lookup('emojivoto')).toEqual({ 'weft.dev/inject': 'enabled' });
    now = 4_000;
    await lookup('emojivoto');
    expect(reads.filter((n) => n === 'emojivoto')).toHaveLength(1);
    now = 6_000;
    await lookup('emojivoto');
    expect(reads.filter((n) => n === 'emojivoto')).toHaveLength(2);
  });

  it('fails with a code naming the namespace when the API server refuses', async () => {
    await expect(kubernetesNamespaceLookup(kc)('ghost')).rejects.toThrow(
      /WEFT_CP_INJECT_NAMESPACE_LOOKUP: reading namespace ghost/,
    );
  });
});

describe('publishing the webhook CA', () => {
  it('writes the certificate, base64, into every webhook of the configuration', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    await publishCaBundle(kc, 'weft-proxy-injector-webhook-config', pem);
    const hooks = webhookConfig.webhooks as { clientConfig: { caBundle: string; service: { path: string } } }[];
    expect(Buffer.from(hooks[0]?.clientConfig.caBundle ?? '', 'base64').toString()).toBe(pem);
    expect(hooks[0]?.clientConfig.service.path).toBe('/inject');
  });
});
