import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMeshCa } from '@weft/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityChecks } from './identity-checks.ts';

// The identity checks on real certificates from the mesh's CA code, at
// different moments of their life.

let dir: string;
const ca = createMeshCa();
const other = createMeshCa();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-identity-check-'));
  await writeFile(join(dir, 'ca.crt'), ca.trustAnchorsPem);
  await writeFile(join(dir, 'issuer.crt'), ca.issuerCertificate.certPem);
  await writeFile(join(dir, 'other-issuer.crt'), other.issuerCertificate.certPem);
  await writeFile(join(dir, 'junk.crt'), 'not a certificate');
});

afterAll(() => rm(dir, { recursive: true, force: true }));

const statuses = async (issuer: string, now?: number) =>
  Object.fromEntries(
    (
      await identityChecks({ trustAnchorsFile: join(dir, 'ca.crt'), issuerCertFile: join(dir, issuer) }, now)
    ).checks.map((c) => [c.description, c.status]),
  );

describe('identityChecks', () => {
  it('passes a fresh anchor and the issuer it signed', async () => {
    expect(Object.values(await statuses('issuer.crt'))).toEqual(Array(6).fill('ok'));
  });

  it('warns 60 days before the issuer expires and fails once it has', async () => {
    const expiry = ca.issuerCertificate.cert.validToDate.getTime();
    const soon = await statuses('issuer.crt', expiry - 30 * 86_400_000);
    expect(soon['issuer cert is valid for at least 60 days']).toBe('warn');
    expect(soon['issuer cert is within its validity period']).toBe('ok');
    const late = await statuses('issuer.crt', expiry + 1000);
    expect(late['issuer cert is within its validity period']).toBe('fail');
  });

  it('fails an issuer from another anchor, and files that hold no certificate', async () => {
    expect((await statuses('other-issuer.crt'))['issuer cert is issued by the trust anchor']).toBe('fail');
    expect(await statuses('junk.crt')).toEqual({ 'certificate config is valid': 'fail' });
  });
});
