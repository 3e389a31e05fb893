import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueWorkloadCertificate } from '../src/ca/in-process.ts';
import type { Issuer } from '../src/ca/issuer.ts';
import { IssuerDirectory } from '../src/ca/issuer-source.ts';
import { CaptureLogger } from './support/capture-logger.ts';
import { WEB } from './support/identity-fixture.ts';

const run = promisify(execFile);

// Operators make CAs with openssl or cert-manager, not only with `weft identity
// create`. This builds them the way deploy/scripts/identity-certs.sh does and
// mounts them as Kubernetes would: tls.crt/tls.key in the issuer Secret, the
// anchor in a separate ConfigMap file.
describe('an issuer made by openssl', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-openssl-ca-'));
    const sh = (args: string[]) => run('openssl', args, { cwd: dir });
    await sh([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '3650',
      '-subj',
      '/CN=root.weft-system.cluster.local',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
    ]);
    await sh([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=identity.weft-system.cluster.local',
      '-keyout',
      'issuer.key',
      '-out',
      'issuer.csr',
    ]);
    await writeFile(
      join(dir, 'issuer.ext'),
      'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n',
    );
    await sh([
      'x509',
      '-req',
      '-in',
      'issuer.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '365',
      '-extfile',
      'issuer.ext',
      '-out',
      'issuer.crt',
    ]);
    await mkdir(join(dir, 'secret'));
    await mkdir(join(dir, 'roots'));
    await run('cp', [join(dir, 'issuer.crt'), join(dir, 'secret/tls.crt')]);
    await run('cp', [join(dir, 'issuer.key'), join(dir, 'secret/tls.key')]);
    await run('cp', [join(dir, 'ca.crt'), join(dir, 'roots/ca-bundle.crt')]);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads from a Secret volume with separate trust roots, and its leaves pass openssl verify', async () => {
    const issuers = new IssuerDirectory({
      dir: join(dir, 'secret'),
      trustAnchorsFile: join(dir, 'roots/ca-bundle.crt'),
      logger: new CaptureLogger(),
    });
    const result = await issuers.load();
    expect(result.ok, result.ok ? '' : result.error.message).toBe(true);
    const leaf = issueWorkloadCertificate(issuers.current as Issuer, WEB);
    await writeFile(join(dir, 'leaf.crt'), leaf.leaf.toString());
    const { stdout } = await run(
      'openssl',
      ['verify', '-x509_strict', '-CAfile', 'ca.crt', '-untrusted', 'issuer.crt', 'leaf.crt'],
      { cwd: dir },
    );
    expect(stdout.trim()).toBe('leaf.crt: OK');
  });
});
