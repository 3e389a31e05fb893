import { X509Certificate } from 'node:crypto';
import { connect, type DetailedPeerCertificate } from 'node:tls';
import { CliError, CliErrorCode } from '../errors.ts';
import type { TapCredentials } from '../viz/tap-client.ts';
import type { Workload } from '../viz/workload.ts';

// The certificate chain a proxy presents on its inbound port, read the way a
// meshed peer sees it: mTLS with the CLI's own certificate (the inbound side
// requires a client certificate from the mesh CA) and the proxy's identity
// as server name (it serves no other).

const TIMEOUT_MS = 5000;

/** Leaf first, then each issuer Node verified, up to the trust anchor. */
export function peerChain(workload: Workload, creds: TapCredentials): Promise<X509Certificate[]> {
  const i = workload.inboundAddr.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: workload.inboundAddr.slice(0, i).replace(/^\[|\]$/g, ''),
      port: Number(workload.inboundAddr.slice(i + 1)),
      servername: workload.identity,
      ca: creds.ca,
      cert: creds.cert,
      key: creds.key,
      // No ALPN: the proxy waits to detect a protocol, and the CLI leaves after the handshake, so the app
      // never sees a connection.
      minVersion: 'TLSv1.3',
    });
    const fail = (message: string) => {
      socket.destroy();
      reject(new CliError(CliErrorCode.Identity, `${workload.pod}: ${message}`));
    };
    socket.setTimeout(TIMEOUT_MS, () => fail(`no TLS handshake with ${workload.inboundAddr} within ${TIMEOUT_MS} ms`));
    socket.once('error', (err) => fail(`cannot read the certificate at ${workload.inboundAddr}: ${err.message}`));
    socket.once('secureConnect', () => {
      const chain: X509Certificate[] = [];
      let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      while (cert?.raw && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        chain.push(new X509Certificate(cert.raw));
        cert = cert.issuerCertificate;
      }
      socket.destroy();
      resolve(chain);
    });
  });
}
