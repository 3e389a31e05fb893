// The proxy injector's process: the admission webhook on HTTPS, reading
// namespaces from the API server it runs in.
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { readInjectorConfig } from './injector/config.ts';
import { kubernetesNamespaceLookup } from './injector/namespace-lookup.ts';
import { buildWebhook } from './injector/webhook.ts';
import type { WebhookTls } from './injector/webhook-tls.ts';
import { publishCaBundle, selfSignedWebhookTls } from './injector/webhook-tls.ts';

const env = (name: string) => process.env[name];
const config = readInjectorConfig(env, (path) => readFileSync(path, 'utf8'));
const kc = new KubeConfig();
kc.loadFromDefault();

const certFile = env('WEFT_INJECTOR_TLS_CERT_FILE');
const keyFile = env('WEFT_INJECTOR_TLS_KEY_FILE');
let tls: WebhookTls;
if (certFile && keyFile) {
  tls = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
} else {
  const ns = config.controlPlaneNamespace;
  const svc = env('WEFT_INJECTOR_SERVICE') ?? 'weft-proxy-injector';
  tls = selfSignedWebhookTls([`${svc}.${ns}.svc`, `${svc}.${ns}.svc.${config.clusterDomain}`]);
  await publishCaBundle(kc, env('WEFT_INJECTOR_WEBHOOK_CONFIG') ?? 'weft-proxy-injector-webhook-config', tls.cert);
}

const app = buildWebhook({ config, tls, lookupNamespace: kubernetesNamespaceLookup(kc), logger: true });
await app.listen({ port: Number(env('WEFT_INJECTOR_PORT') ?? 8443), host: '0.0.0.0' });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void app.close());
