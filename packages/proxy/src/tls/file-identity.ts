import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type CertificateSource, staticCertificateSource, workloadCertificate } from '@weft/identity';
import { ProxyError } from '../errors.ts';

// A certificate provisioned as files (PKCS#8 key, PEM chain leaf first), for
// when something outside the mesh issues it. It does not rotate.

export function identityFromFiles(
  name: string,
  certFile: string,
  keyFile: string,
  trustAnchorsPem: string,
): CertificateSource {
  const chain =
    readFileSync(certFile, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const [leaf, ...intermediates] = chain.map((pem) => new X509Certificate(pem).raw);
  if (!leaf) throw new ProxyError('WEFT_PROXY_CONFIG', `${certFile}: no certificate found`);
  return staticCertificateSource(
    workloadCertificate({
      identity: name,
      keyPem: readFileSync(keyFile, 'utf8'),
      leafDer: leaf,
      intermediatesDer: intermediates,
      trustAnchorsPem,
    }),
  );
}
