import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { AdmissionregistrationV1Api } from '@kubernetes/client-node';
import { InjectorError, InjectorErrorCode } from './errors.ts';

export interface WebhookTls {
  readonly key: string;
  readonly cert: string;
}

/**
 * A self-signed P-256 serving certificate for the webhook's Service names.
 * The API server trusts it through the webhook configuration's caBundle,
 * so a fresh install needs no cert-manager and no key material in git.
 */
export function selfSignedWebhookTls(dnsNames: readonly string[], days = 365): WebhookTls {
  if (dnsNames.length === 0)
    throw new InjectorError(InjectorErrorCode.InvalidConfig, 'webhook certificate needs a DNS name');
  const dir = mkdtempSync(join(tmpdir(), 'weft-injector-tls-'));
  try {
    const san = dnsNames.map((n) => `DNS:${n}`).join(',');
    const args = [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      String(days),
    ];
    args.push('-subj', `/CN=${dnsNames[0]}`, '-addext', `subjectAltName=${san}`);
    args.push('-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'));
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch (err) {
    throw new InjectorError(
      InjectorErrorCode.InvalidConfig,
      `cannot create the webhook certificate with openssl: ${(err as Error).message}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the CA bundle into every webhook of the named MutatingWebhookConfiguration. */
export async function publishCaBundle(kc: KubeConfig, configurationName: string, caPem: string): Promise<void> {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  const body = await api.readMutatingWebhookConfiguration({ name: configurationName });
  const caBundle = Buffer.from(caPem).toString('base64');
  for (const hook of body.webhooks ?? []) hook.clientConfig.caBundle = caBundle;
  await api.replaceMutatingWebhookConfiguration({ name: configurationName, body });
}
