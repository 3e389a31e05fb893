import type { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaCertificate, createIssuer, createTrustAnchor } from '../src/ca/authority.ts';
import { createMeshCa, issueWorkloadCertificate } from '../src/ca/in-process.ts';
import { Issuer } from '../src/ca/issuer.ts';
import { IssuerDirectory, type ReloadResult } from '../src/ca/issuer-source.ts';
import { IdentityClient } from '../src/client/identity-client.ts';
import { silentLogger } from '../src/log.ts';
import { CaptureLogger } from './support/capture-logger.ts';
import { type IdentityFixture, startIdentityFixture, WEB } from './support/identity-fixture.ts';
import { SecretVolume } from './support/secret-volume.ts';

describe('issuer reload from a mounted Secret (tls.crt, tls.key, ca.crt)', () => {
  const anchor = createTrustAnchor();
  let dir: string;
  let volume: SecretVolume;
  let issuers: IssuerDirectory;
  let fixture: IdentityFixture;
  const logs = new CaptureLogger();

  const secretFor = (issuer: CaCertificate) => ({
    'tls.crt': issuer.certPem,
    'tls.key': issuer.keyPem,
    'ca.crt': anchor.certPem,
  });
  /**
   * The first reload that read a Secret other than the one holding `held`. The watch sees the new
   * `..N` directory before the `..data` swap, so a reload may run while an update is still being
   * written and find the old files again; that one is not the outcome of the update.
   */
  const nextReload = (held: X509Certificate) =>
    new Promise<ReloadResult>((resolve) => {
      const off = issuers.onReload((result) => {
        if (result.ok && result.issuer.certificate.fingerprint256 === held.fingerprint256) return;
        off();
        resolve(result);
      });
    });
  /** A leaf for `web` from whatever issuer the service holds now, via a fresh client. */
  const certifyOnce = async (): Promise<X509Certificate> => {
    const client = new IdentityClient({
      address: fixture.server.address,
      identity: WEB,
      token: () => fixture.tokenFor(WEB),
      trustAnchorsPem: anchor.certPem,
      serverIdentity: fixture.server.serverIdentity,
      logger: silentLogger,
    }).start();
    try {
      return (await client.ready()).leaf;
    } finally {
      client.close();
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-issuer-'));
    volume = new SecretVolume(dir);
    await volume.write(secretFor(createIssuer(anchor)));
    issuers = new IssuerDirectory({ dir, logger: logs, debounceMs: 50 });
    expect((await issuers.load()).ok).toBe(true);
    issuers.watch();
    const ca = { ...createMeshCa(), trustAnchorsPem: anchor.certPem };
    fixture = await startIdentityFixture({ ca, issuers });
  });
  afterAll(async () => {
    issuers.close();
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('signs new leaves with a replacement issuer as soon as the Secret changes', async () => {
    const first = issuers.current?.certificate as X509Certificate;
    expect((await certifyOnce()).checkIssued(first)).toBe(true);

    const replacement = createIssuer(anchor);
    const reloaded = nextReload(first);
    await volume.write(secretFor(replacement));
    expect((await reloaded).ok).toBe(true);
    const leaf = await certifyOnce();
    expect(leaf.checkIssued(replacement.cert) && leaf.verify(replacement.cert.publicKey)).toBe(true);
    expect(leaf.checkIssued(first)).toBe(false);
    await logs.waitFor(new RegExp(`msg="loaded issuer".*dir=${dir}`));
  });

  it('refuses an issuer that does not chain to the trust anchors, and keeps the old one', async () => {
    const kept = issuers.current?.certificate as X509Certificate;
    const stranger = createIssuer(createTrustAnchor());
    const reloaded = nextReload(kept);
    await volume.write(secretFor(stranger));
    const result = await reloaded;
    expect(result.ok).toBe(false);
    expect(await logs.waitFor(/refused issuer/)).toMatch(
      /code=WEFT_IDENTITY_INVALID_ISSUER .*does not chain to the trust anchors/,
    );
    expect(issuers.current?.certificate.fingerprint256).toBe(kept.fingerprint256);
    expect((await certifyOnce()).checkIssued(kept)).toBe(true);
  });

  it('refuses a certificate that is not a CA, and keeps the old one', async () => {
    const kept = issuers.current?.certificate as X509Certificate;
    const intermediate = createIssuer(anchor);
    const loaded = Issuer.fromPem({
      certPem: intermediate.certPem,
      keyPem: intermediate.keyPem,
      trustAnchorsPem: anchor.certPem,
    });
    // A workload leaf with its own key: it chains to the anchor but may not sign.
    const leaf = issueWorkloadCertificate(loaded, WEB);
    const reloaded = nextReload(kept);
    await volume.write({ 'tls.crt': leaf.certChainPem, 'tls.key': leaf.keyPem, 'ca.crt': anchor.certPem });
    expect((await reloaded).ok).toBe(false);
    expect(await logs.waitFor(/is not a CA/)).toMatch(/level=error msg="refused issuer; keeping the previous one"/);
    expect(issuers.current?.certificate.fingerprint256).toBe(kept.fingerprint256);
    expect((await certifyOnce()).checkIssued(kept)).toBe(true);
  });
});
