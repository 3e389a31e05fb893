import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import { createMeshCa, issueWorkloadCertificate } from '@weft/identity';
import { checkPeerIdentity } from '@weft/identity/tls';
import { afterAll, describe, expect, it } from 'vitest';
import { identityFromFiles } from './file-identity.ts';

const dir = mkdtempSync(join(tmpdir(), 'weft-id-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('identityFromFiles', () => {
  it('serves its certificate over TLS 1.3, and the peer check accepts only its name', async () => {
    const ca = createMeshCa();
    const name = 'web.emojivoto.serviceaccount.identity.weft-system.cluster.local';
    const issued = issueWorkloadCertificate(ca.issuer, name);
    writeFileSync(join(dir, 'cert.pem'), issued.certChainPem);
    writeFileSync(join(dir, 'key.pem'), issued.keyPem);
    const source = identityFromFiles(name, join(dir, 'cert.pem'), join(dir, 'key.pem'), ca.trustAnchorsPem);
    expect(source.identity).toBe(name);
    const server = createServer({ SNICallback: (_n, cb) => cb(null, source.secureContext()) }, (s) => s.end('hi'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const attempt = (expected: string) =>
      new Promise<string>((resolve) => {
        const s = connect({
          port,
          host: '127.0.0.1',
          servername: name,
          ca: ca.trustAnchorsPem,
          checkServerIdentity: (_h, cert) => checkPeerIdentity(cert, expected),
        });
        s.on('secureConnect', () => resolve(`ok ${s.getProtocol()}`));
        s.on('error', (e) => resolve(e.message));
      });
    expect(await attempt(name)).toBe('ok TLSv1.3');
    expect(await attempt('emoji.emojivoto.serviceaccount.identity.weft-system.cluster.local')).toMatch(
      /expected emoji/,
    );
    server.close();
  });

  it('names the file when it holds no certificate', () => {
    writeFileSync(join(dir, 'empty.pem'), '');
    expect(() => identityFromFiles('x', join(dir, 'empty.pem'), join(dir, 'key.pem'), '')).toThrow(
      /empty\.pem: no certificate/,
    );
  });
});
