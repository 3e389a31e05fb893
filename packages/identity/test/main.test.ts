import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promtoolProblems } from '@weft/api/testing/promtool';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIssuer, createTrustAnchor } from '../src/ca/authority.ts';
import { IdentityClient } from '../src/client/identity-client.ts';
import { silentLogger } from '../src/log.ts';
import { identityServiceName } from '../src/server/self-certificate.ts';
import { createLocalTokenKey, mintLocalToken } from '../src/tokens/local-token.ts';
import { DOMAIN, WEB } from './support/identity-fixture.ts';

const MAIN = join(import.meta.dirname, '../src/main.ts');

describe('the identity service as a process (local token mode)', () => {
  let dir: string;
  let child: ChildProcess;
  const lines: string[] = [];
  const anchor = createTrustAnchor();
  const key = createLocalTokenKey();
  let grpcPort = 0;
  let adminPort = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-identity-main-'));
    const issuer = createIssuer(anchor);
    // The files `weft identity create` writes.
    await writeFile(join(dir, 'ca.crt'), anchor.certPem);
    await writeFile(join(dir, 'issuer.crt'), issuer.certPem);
    await writeFile(join(dir, 'issuer.key'), issuer.keyPem, { mode: 0o600 });
    await writeFile(join(dir, 'token.key'), key.toString('hex'), { mode: 0o600 });
    child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        WEFT_IDENTITY_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_IDENTITY_ADMIN_ADDR: '127.0.0.1:0',
        WEFT_IDENTITY_ISSUER_DIR: dir,
        WEFT_IDENTITY_TOKEN_MODE: 'local',
        WEFT_IDENTITY_LOCAL_TOKEN_KEY_FILE: join(dir, 'token.key'),
        WEFT_IDENTITY_ISSUANCE_LIFETIME: '2h',
      },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    const reader = createInterface({ input: child.stderr as NodeJS.ReadableStream });
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`identity exited with ${code}:\n${lines.join('\n')}`)));
      reader.on('line', (line) => {
        lines.push(line);
        grpcPort ||= Number(/msg="identity service listening".* address=[\d.]+:(\d+)/.exec(line)?.[1] ?? 0);
        adminPort ||= Number(/msg="admin server listening".* port=(\d+)/.exec(line)?.[1] ?? 0);
        if (grpcPort && adminPort) resolve();
      });
    });
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('certifies a workload that presents a runner-minted token, and reports it on /metrics', async () => {
    const before = Date.now();
    const client = new IdentityClient({
      address: `127.0.0.1:${grpcPort}`,
      identity: WEB,
      token: () => mintLocalToken({ identity: WEB, key }),
      trustAnchorsPem: anchor.certPem,
      serverIdentity: identityServiceName(DOMAIN),
      logger: silentLogger,
    }).start();
    try {
      const cert = await client.ready();
      // WEFT_IDENTITY_ISSUANCE_LIFETIME from the moment of signing, between `before` and now
      // (X.509 times are whole seconds: up to 1 s earlier).
      expect(cert.expiresAt.getTime()).toBeGreaterThan(before + 2 * 3600_000 - 1_000);
      expect(cert.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 2 * 3600_000);
    } finally {
      client.close();
    }
    const ready = await fetch(`http://127.0.0.1:${adminPort}/ready`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    expect(metrics).toMatch(/^identity_certify_requests_total\{result="ok"\} 1$/m);
    expect(metrics).toMatch(/^issuer_cert_ttl_seconds \d+$/m);
    expect(await promtoolProblems(metrics)).toEqual([]);
    expect(lines.some((l) => l.includes('msg="issued certificate"') && l.includes(`identity=${WEB}`))).toBe(true);
  });

  it('stops cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
