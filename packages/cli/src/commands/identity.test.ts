import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Issuer, readIssuerDir } from '@weft/identity';
import { afterAll, describe, expect, it } from 'vitest';
import command from './identity.ts';

const root = mkdtempSync(join(tmpdir(), 'weft-identity-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function weftIdentity(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const code = await command.run(args, { stdout, stderr, env: {} });
  return { code, stdout: String(stdout.read() ?? ''), stderr: String(stderr.read() ?? '') };
}

describe('weft identity create', () => {
  it('writes an anchor and issuer the identity service accepts and openssl verifies', async () => {
    const dir = join(root, 'certs');
    const { code, stdout } = await weftIdentity([
      'create',
      '--dir',
      dir,
      '--trust-domain',
      'example.org',
      '--control-plane-ns',
      'mesh',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/√ ca\.crt +trust anchor +CN=root\.example\.org, valid until \d{4}-/);
    expect(stdout).toMatch(/√ issuer\.crt +issuer +CN=identity\.mesh\.example\.org, valid until/);
    expect(stdout).toContain('<sa>.<ns>.serviceaccount.identity.mesh.example.org');
    expect(statSync(join(dir, 'issuer.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'ca.key')).mode & 0o777).toBe(0o600);

    const issuer = Issuer.fromPem(await readIssuerDir({ dir }));
    expect(issuer.certificate.ca).toBe(true);
    const out = execFileSync(
      'openssl',
      ['verify', '-x509_strict', '-CAfile', join(dir, 'ca.crt'), join(dir, 'issuer.crt')],
      {
        encoding: 'utf8',
      },
    );
    expect(out.trim()).toBe(`${join(dir, 'issuer.crt')}: OK`);
  });

  it('refuses to overwrite existing files without --force', async () => {
    const dir = join(root, 'twice');
    expect((await weftIdentity(['create', '--dir', dir])).code).toBe(0);
    const again = await weftIdentity(['create', '--dir', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already holds ca.crt, ca.key, issuer.crt, issuer.key; pass --force');
    expect((await weftIdentity(['create', '--dir', dir, '--force'])).code).toBe(0);
  });

  it('explains bad flags', async () => {
    const noDir = await weftIdentity(['create']);
    expect([noDir.code, noDir.stderr]).toEqual([
      2,
      expect.stringContaining('Error: create needs --dir DIR (WEFT_CLI_USAGE)'),
    ]);
    const badDomain = await weftIdentity(['create', '--dir', root, '--trust-domain', 'Bad_Domain']);
    expect(badDomain.stderr).toContain('--trust-domain Bad_Domain is not a DNS name');
  });
});
