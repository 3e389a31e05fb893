import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { staticCertificateSource } from '../tls/certificate-source.ts';
import { peerIdentity } from '../tls/peer-identity.ts';
import { clientTlsOptions, serverTlsOptions } from '../tls/tls-options.ts';
import { createMeshCa, issueWorkloadCertificate } from './in-process.ts';

const WEB = 'web.emojivoto.serviceaccount.identity.weft-system.cluster.local';
const EMOJI = 'emoji.emojivoto.serviceaccount.identity.weft-system.cluster.local';

describe('in-process certificates', () => {
  it('issues a leaf that chains to the trust anchor with the identity as its only DNS SAN', () => {
    const ca = createMeshCa();
    const cert = issueWorkloadCertificate(ca.issuer, WEB);
    const issuer = new X509Certificate(ca.issuerCertificate.certPem);
    expect(cert.leaf.checkIssued(issuer)).toBe(true);
    expect(cert.leaf.verify(issuer.publicKey)).toBe(true);
    expect(issuer.verify(ca.trustAnchor.cert.publicKey)).toBe(true);
    expect(cert.leaf.subjectAltName).toBe(`DNS:${WEB}`);
    expect(cert.leaf.ca).toBe(false);
    expect(cert.expiresAt.getTime() - Date.now()).toBeGreaterThan(23.9 * 3600_000);
  });

  it('lets two workloads complete a TLS 1.3 handshake that checks both names', async () => {
    const ca = createMeshCa();
    const server = createServer(serverTlsOptions(staticCertificateSource(issueWorkloadCertificate(ca.issuer, EMOJI))));
    const seen = once(server, 'secureConnection') as Promise<[TLSSocket]>;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = staticCertificateSource(issueWorkloadCertificate(ca.issuer, WEB));
    const socket = connect({
      port: (server.address() as AddressInfo).port,
      host: '127.0.0.1',
      ...clientTlsOptions(client, EMOJI),
    });
    await once(socket, 'secureConnect');
    const [serverSide] = await seen;
    expect(socket.getProtocol()).toBe('TLSv1.3');
    expect(peerIdentity(serverSide)).toBe(WEB);
    socket.destroy();
    server.close();
  });
});
