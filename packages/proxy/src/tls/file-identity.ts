import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ProxyError } from '../errors.ts';
import type { LocalIdentity } from './local-identity.ts';

// A certificate provisioned as files (PKCS#8 or SEC1 key, PEM chain leaf
// first), for when something outside the mesh issues it. It does not rotate.

export function identityFromFiles(
  name: string,
  certFile: string,
  keyFile: string,
  trustAnchorsPem: string,
): LocalIdentity {
  const chain = readFileSync(certFile, 'utf8');
  if (!chain.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ProxyError('WEFT_PROXY_CONFIG', `${certFile}: no certificate found`);
  }
  const context = createSecureContext({
    key: readFileSync(keyFile, 'utf8'),
    cert: chain,
    ca: trustAnchorsPem,
    minVersion: 'TLSv1.3',
  });
  const current = { chain };
  return { identity: name, current, ready: () => Promise.resolve(current), secureContext: () => context };
}
