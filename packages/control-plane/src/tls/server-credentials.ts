import type { ServerCredentials } from '@grpc/grpc-js';
import { type CertificateSource, RotatingServerCredentials, type WorkloadCertificate } from '@weft/identity';

/**
 * gRPC server credentials for the control plane's own mesh certificate: TLS
 * 1.3 only, and a client certificate from the mesh's trust anchors required
 * of every caller, as between proxies. The certificate follows the source's
 * renewals; until the first one arrives grpc-js drops connections, and
 * proxies retry. Returns the function that stops following renewals.
 */
export function meshServerCredentials(source: CertificateSource): {
  credentials: ServerCredentials;
  stop: () => void;
} {
  const credentials = new RotatingServerCredentials({ requestCert: true, rejectUnauthorized: true });
  const use = (certificate: WorkloadCertificate) =>
    credentials.update({
      key: certificate.keyPem,
      cert: certificate.certChainPem,
      ca: certificate.trustAnchorsPem,
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
    });
  if (source.current) use(source.current);
  return { credentials, stop: source.onRotate(use) };
}
