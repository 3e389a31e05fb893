import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMeshCa, identityName, issueWorkloadCertificate } from '@weft/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, startMesh } from '../../../proxy/test/support/mesh.ts';
import { startViz, type VizServer } from '../viz/server.ts';
import { runCli } from '../viz/testing/run-cli.ts';

// `weft identity deploy/NAME` against a real proxy certified by a real mesh
// CA, found through the viz inventory: each certificate the proxy presents,
// summarised as openssl does, with a PEM that is the one served.

const DOMAIN = { trustDomain: 'cluster.local', controlPlaneNamespace: 'weft-system' };

let mesh: Mesh;
let viz: VizServer;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  // The app is never reached: reading a certificate ends at the handshake.
  mesh = await startMesh(9);
  dir = await mkdtemp(join(tmpdir(), 'weft-identity-'));
  await writeFile(join(dir, 'ca.crt'), mesh.ca.trustAnchorsPem);
  const cli = issueWorkloadCertificate(mesh.ca.issuer, identityName('weft-cli', 'weft-system', DOMAIN));
  await writeFile(join(dir, 'cli.crt'), cli.certChainPem);
  await writeFile(join(dir, 'cli.key'), cli.keyPem);
  viz = await startViz({ stateDir: dir, recorder: { intervalMs: 60_000 } });
  viz.setMesh({ trustAnchorsFile: join(dir, 'ca.crt') });
  viz.registerWorkload({
    namespace: 'emojivoto',
    deployment: 'emoji',
    pod: 'emoji-0',
    services: ['emoji-svc'],
    serviceAccount: 'emoji',
    identity: mesh.serverIdentity,
    adminAddr: `127.0.0.1:${mesh.server.addresses?.admin.port}`,
    inboundAddr: `127.0.0.1:${mesh.inboundPort}`,
  });
  env = {
    WEFT_API_ADDR: viz.address,
    WEFT_TAP_CERT_FILE: join(dir, 'cli.crt'),
    WEFT_TAP_KEY_FILE: join(dir, 'cli.key'),
  };
});

afterAll(async () => {
  await viz?.close();
  await mesh?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('weft identity WORKLOAD', () => {
  it("prints the chain the pod's proxy presents: subject, SAN, issuer, validity, serial, key, PEM", async () => {
    const { code, stdout, stderr } = await runCli(['identity', 'deploy/emoji', '-n', 'emojivoto'], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.startsWith('POD emoji-0 (1 of 1)\n\nCertificate:\n')).toBe(true);
    const pems = stdout.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
    expect(pems.length).toBeGreaterThanOrEqual(2);
    const leaf = new X509Certificate(pems[0] as string);
    const issuer = mesh.ca.issuerCertificate.cert;
    expect(leaf.subjectAltName).toBe(`DNS:${mesh.serverIdentity}`);
    expect(leaf.verify(issuer.publicKey)).toBe(true);
    expect(new X509Certificate(pems[1] as string).fingerprint256).toBe(issuer.fingerprint256);
    const serial = (leaf.serialNumber.length % 2 ? `0${leaf.serialNumber}` : leaf.serialNumber)
      .toLowerCase()
      .match(/../g)
      ?.join(':');
    const first = stdout.slice(0, stdout.indexOf('-----BEGIN'));
    expect(first).toContain(`        Serial Number:\n            ${serial}\n`);
    expect(first).toContain(`        Subject: ${leaf.subject.split('\n').join(', ')}\n`);
    expect(first).toContain(`        Issuer: ${issuer.subject.split('\n').join(', ')}\n`);
    expect(first).toContain(`            Not Before: ${leaf.validFrom}\n            Not After : ${leaf.validTo}\n`);
    expect(first).toContain('            Public Key Algorithm: id-ecPublicKey\n                ASN1 OID: prime256v1\n');
    expect(first).toContain(`                DNS:${mesh.serverIdentity}\n`);
  });

  it('takes a pod name, and says when no such workload is meshed', async () => {
    const byPod = await runCli(['identity', 'emoji-0', '-n', 'emojivoto'], env);
    expect(byPod.code).toBe(0);
    expect(byPod.stdout).toContain(`Subject: CN=${mesh.serverIdentity}`);
    const missing = await runCli(['identity', 'deploy/nope', '-n', 'emojivoto'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no meshed deployment emojivoto/nope');
  });

  it("refuses a proxy whose certificate does not chain to the mesh's trust anchors", async () => {
    await writeFile(join(dir, 'other-ca.crt'), createMeshCa().trustAnchorsPem);
    const { code, stdout, stderr } = await runCli(['identity', 'deploy/emoji', '-n', 'emojivoto'], {
      ...env,
      WEFT_TAP_CA_FILE: join(dir, 'other-ca.crt'),
    });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`emoji-0: cannot read the certificate at 127.0.0.1:${mesh.inboundPort}`);
  });
});
