import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { createMeshCa, issueWorkloadCertificate } from '@weft/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALPN_H1, connectUpstream } from '../src/tls/connect.ts';
import { type Mesh, startMesh, workload } from './support/mesh.ts';

// mTLS as seen on the wire by openssl s_client against the inbound port.

let mesh: Mesh;
let app: Server;
let dir: string;

// The proxy runs in this process, so openssl must run asynchronously.
async function sClient(args: string[]): Promise<{ out: string; http: boolean }> {
  const child = spawn('openssl', [
    's_client',
    '-connect',
    `127.0.0.1:${mesh.inboundPort}`,
    '-ign_eof',
    '-showcerts',
    ...args,
  ]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => {
    stdout += c;
  });
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  child.stdin.end('GET / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n');
  const timer = setTimeout(() => child.kill(), 10_000);
  await once(child, 'close');
  clearTimeout(timer);
  return { out: `${stdout}\n${stderr}`, http: /HTTP\/1\.1 200/.test(stdout) };
}

function pemFiles(name: string, cert: { keyPem: string; certChainPem: string }): string[] {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  writeFileSync(key, cert.keyPem);
  writeFileSync(crt, cert.certChainPem);
  // s_client sends only the leaf unless told about the chain (the issuer certificate).
  return ['-cert', crt, '-cert_chain', crt, '-key', key];
}

beforeAll(async () => {
  app = createServer((req, res) => res.end(`hi ${req.headers['weft-client-id'] ?? 'anonymous'}`));
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  mesh = await startMesh((app.address() as AddressInfo).port);
  dir = mkdtempSync(join(tmpdir(), 'weft-mtls-'));
  writeFileSync(join(dir, 'ca.pem'), mesh.ca.trustAnchorsPem);
});

afterAll(async () => {
  await mesh.close();
  app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mTLS on the inbound port', () => {
  it('speaks TLS 1.3 with the workload identity certificate to a client from the mesh', async () => {
    const client = issueWorkloadCertificate(
      mesh.ca.issuer,
      'vote-bot.emojivoto.serviceaccount.identity.weft-system.cluster.local',
    );
    const { out, http } = await sClient([
      '-servername',
      mesh.serverIdentity,
      '-CAfile',
      join(dir, 'ca.pem'),
      '-verify_return_error',
      ...pemFiles('mesh-client', client),
    ]);
    expect(out).toMatch(/TLSv1\.3/);
    expect(out).toMatch(/Verify return code: 0 \(ok\)/);
    const leaf = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(out)?.[0] ?? '';
    const san = spawnSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName'], { input: leaf, encoding: 'utf8' });
    expect(san.stdout).toContain(`DNS:${mesh.serverIdentity}`);
    expect(http).toBe(true);
    expect(out).toContain('hi vote-bot.emojivoto.serviceaccount');
  });

  it('fails the handshake without a client certificate', async () => {
    const { out, http } = await sClient(['-servername', mesh.serverIdentity, '-CAfile', join(dir, 'ca.pem')]);
    expect(http).toBe(false);
    expect(out).toMatch(/alert|error/i);
  });

  it('fails the handshake with a client certificate from another CA', async () => {
    const other = createMeshCa();
    const stranger = issueWorkloadCertificate(
      other.issuer,
      'web.emojivoto.serviceaccount.identity.weft-system.cluster.local',
    );
    const { out, http } = await sClient(['-servername', mesh.serverIdentity, ...pemFiles('stranger', stranger)]);
    expect(http).toBe(false);
    expect(out).toMatch(/alert|error/i);
  });

  it('fails the handshake for a server name that is not this workload', async () => {
    const client = issueWorkloadCertificate(
      mesh.ca.issuer,
      'web.emojivoto.serviceaccount.identity.weft-system.cluster.local',
    );
    const { http } = await sClient(['-servername', 'someone-else.example', ...pemFiles('wrong-sni', client)]);
    expect(http).toBe(false);
  });

  it('refuses TLS 1.2', async () => {
    const client = issueWorkloadCertificate(
      mesh.ca.issuer,
      'web.emojivoto.serviceaccount.identity.weft-system.cluster.local',
    );
    const { out, http } = await sClient(['-tls1_2', '-servername', mesh.serverIdentity, ...pemFiles('old', client)]);
    expect(http).toBe(false);
    expect(out).toMatch(/alert|error/i);
  });

  it('resumes TLS sessions from the proxy client, and still learns the client identity', async () => {
    const client = workload(mesh.ca, 'vote-bot');
    const target = {
      host: '127.0.0.1',
      port: mesh.inboundPort,
      tls: { name: mesh.serverIdentity, serverName: mesh.serverIdentity },
    };
    const outcomes: { reused: boolean; body: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const socket = connectUpstream(target, client, ALPN_H1, 2000) as TLSSocket;
      await once(socket, 'secureConnect');
      const reused = socket.isSessionReused();
      let reply = '';
      socket.on('data', (c) => {
        reply += c;
      });
      // Half-closes after the request, as `nc -N` does; the answer must still come.
      socket.end('GET / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n');
      await once(socket, 'close');
      outcomes.push({ reused, body: reply.split('\r\n\r\n')[1] ?? '' });
    }
    expect(outcomes.map((o) => o.reused)).toEqual([false, true]);
    for (const o of outcomes) expect(o.body).toBe(`hi ${client.identity}`);
  });
});
