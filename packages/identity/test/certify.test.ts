import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeshCa, issueWorkloadCertificate } from '../src/ca/in-process.ts';
import { IdentityClient } from '../src/client/identity-client.ts';
import { silentLogger } from '../src/log.ts';
import { type CertificateSource, staticCertificateSource } from '../src/tls/certificate-source.ts';
import { peerIdentity } from '../src/tls/peer-identity.ts';
import { clientTlsOptions, type ServerTlsSettings, serverTlsOptions } from '../src/tls/tls-options.ts';
import { EMOJI, type IdentityFixture, startIdentityFixture, WEB } from './support/identity-fixture.ts';

const run = promisify(execFile);

describe('Certify over real gRPC', () => {
  let fixture: IdentityFixture;
  const clients: IdentityClient[] = [];

  const clientFor = (identity: string): IdentityClient => {
    const client = new IdentityClient({
      address: fixture.server.address,
      identity,
      token: () => fixture.tokenFor(identity),
      trustAnchorsPem: fixture.ca.trustAnchorsPem,
      serverIdentity: fixture.server.serverIdentity,
      logger: silentLogger,
    }).start();
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    fixture = await startIdentityFixture();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await fixture.close();
  });

  it('issues a 24 h leaf for the identity that chains to the anchor (node:crypto and openssl agree)', async () => {
    const before = Date.now();
    const cert = await clientFor(WEB).ready();
    const after = Date.now();
    const issuer = fixture.ca.issuer.certificate;
    const anchor = fixture.ca.trustAnchor.cert;
    expect(cert.leaf.checkIssued(issuer)).toBe(true);
    expect(cert.leaf.verify(issuer.publicKey)).toBe(true);
    expect(issuer.checkIssued(anchor) && issuer.verify(anchor.publicKey)).toBe(true);
    expect(cert.leaf.subjectAltName).toBe(`DNS:${WEB}`);
    expect(cert.leaf.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    expect(cert.leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    // Signed between `before` and `after`, back-dated by the 20 s clock-skew allowance, with one day
    // of life. X.509 times are whole seconds, so each end may sit up to 1 s before the exact instant.
    expect(cert.notBefore.getTime()).toBeGreaterThan(before - 20_000 - 1_000);
    expect(cert.notBefore.getTime()).toBeLessThanOrEqual(after - 20_000);
    expect(cert.expiresAt.getTime()).toBeGreaterThan(before + 24 * 3600_000 - 1_000);
    expect(cert.expiresAt.getTime()).toBeLessThanOrEqual(after + 24 * 3600_000);
    // Both ends come from one signing time, so together they span exactly the allowance and a day.
    expect(cert.expiresAt.getTime() - cert.notBefore.getTime()).toBe(20_000 + 24 * 3600_000);

    const dir = await mkdtemp(join(tmpdir(), 'weft-identity-'));
    try {
      const [leafPem, ...chainPems] = cert.certChainPem.split(/(?<=-----END CERTIFICATE-----\n)/);
      await writeFile(join(dir, 'ca.crt'), fixture.ca.trustAnchorsPem);
      await writeFile(join(dir, 'chain.crt'), chainPems.join(''));
      await writeFile(join(dir, 'leaf.crt'), leafPem ?? '');
      const { stdout } = await run('openssl', [
        'verify',
        '-x509_strict',
        '-purpose',
        'sslclient',
        '-CAfile',
        join(dir, 'ca.crt'),
        '-untrusted',
        join(dir, 'chain.crt'),
        join(dir, 'leaf.crt'),
      ]);
      expect(stdout.trim()).toBe(`${join(dir, 'leaf.crt')}: OK`);
      const other = createMeshCa();
      await writeFile(join(dir, 'other.crt'), other.trustAnchorsPem);
      await expect(
        run('openssl', [
          'verify',
          '-CAfile',
          join(dir, 'other.crt'),
          '-untrusted',
          join(dir, 'chain.crt'),
          join(dir, 'leaf.crt'),
        ]),
      ).rejects.toThrow(/unable to get local issuer certificate/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lets two certified workloads complete a TLS 1.3 handshake that checks both names', async () => {
    const [web, emoji] = [clientFor(WEB), clientFor(EMOJI)];
    await Promise.all([web.ready(), emoji.ready()]);
    const { serverSide, socket } = await handshake(emoji, web, EMOJI);
    expect(socket.getProtocol()).toBe('TLSv1.3');
    expect(peerIdentity(serverSide)).toBe(WEB);
    expect(socket.getPeerX509Certificate()?.subjectAltName).toBe(`DNS:${EMOJI}`);
    socket.destroy();
  });

  it('refuses a server whose certificate is for another name', async () => {
    const web = clientFor(WEB);
    await web.ready();
    // The server is really `web`, the client expects `emoji`.
    await expect(handshake(web, web, EMOJI)).rejects.toThrow(`peer certificate names ${WEB}, expected ${EMOJI}`);
  });

  it('refuses peers holding certificates from another CA, in both directions', async () => {
    const web = clientFor(WEB);
    await web.ready();
    const stranger = staticCertificateSource(issueWorkloadCertificate(createMeshCa().issuer, EMOJI));
    await expect(handshake(stranger, web, EMOJI)).rejects.toThrow('unable to get local issuer certificate');
    const emoji = clientFor(EMOJI);
    await emoji.ready();
    // This client trusts our anchors, so only the server's check of its certificate can fail.
    const foreign = issueWorkloadCertificate(createMeshCa().issuer, WEB);
    const strangeClient = staticCertificateSource({ ...foreign, trustAnchorsPem: fixture.ca.trustAnchorsPem });
    await expect(handshake(emoji, strangeClient, EMOJI)).rejects.toThrow(/server refused the client/);
    // A server that admits unauthenticated clients sees why, and no identity.
    const { serverSide, socket } = await handshake(emoji, strangeClient, EMOJI, { requireClientCertificate: false });
    expect(serverSide.authorized).toBe(false);
    expect(serverSide.authorizationError).toMatch(/UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
    expect(peerIdentity(serverSide)).toBeUndefined();
    socket.destroy();
  });
});

/** One mTLS connection from `client` to a server holding `server`'s certificate. */
async function handshake(
  server: CertificateSource,
  client: CertificateSource,
  expect: string,
  settings?: ServerTlsSettings,
) {
  const tlsServer = createServer(serverTlsOptions(server, settings));
  const refused = once(tlsServer, 'tlsClientError').then(([err]) => {
    throw new Error(`server refused the client: ${(err as Error).message}`);
  });
  refused.catch(() => {});
  tlsServer.listen(0, '127.0.0.1');
  await once(tlsServer, 'listening');
  const accepted = once(tlsServer, 'secureConnection') as Promise<[TLSSocket]>;
  const port = (tlsServer.address() as AddressInfo).port;
  try {
    const socket = connect({ host: '127.0.0.1', port, ...clientTlsOptions(client, expect) });
    await once(socket, 'secureConnect');
    // TLS 1.3 sends the server's verdict on the client certificate after the client's Finished.
    const [serverSide] = await Promise.race([accepted, refused]);
    return { serverSide, socket };
  } finally {
    tlsServer.close();
  }
}
