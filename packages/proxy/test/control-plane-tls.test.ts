import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CertificateStore, createMeshCa, identityName, issueWorkloadCertificate } from '@weft/identity';
import { afterEach, describe, expect, it } from 'vitest';
import { DestinationResolver } from '../src/resolve/destination.ts';
import type { Update } from '../src/resolve/update.ts';
import { TestDestination } from './support/destination-server.ts';

// The proxy reaches the control plane over mTLS: with its own certificate,
// once it has one, and only if the control plane proves the identity the
// proxy was configured to expect.

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const DOMAIN = { trustDomain: 'cluster.local', controlPlaneNamespace: 'weft-system' };
const SERVICE = 'emoji-svc.emojivoto.svc.cluster.local:8080';
const WEB = identityName('web', 'emojivoto', DOMAIN);
const CONTROL_PLANE = identityName('weft-destination', 'weft-system', DOMAIN);

describe('the control-plane connection', () => {
  const ca = createMeshCa({ domain: DOMAIN });
  let destination: TestDestination | undefined;
  let resolver: DestinationResolver | undefined;
  let child: ChildProcess | undefined;
  let dir = '';
  afterEach(async () => {
    resolver?.close();
    destination?.stop();
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('resolves over mTLS once its own certificate arrives', async () => {
    destination = new TestDestination();
    await destination.start(0, issueWorkloadCertificate(ca.issuer, CONTROL_PLANE));
    destination.set(SERVICE, [{ ip: '127.0.0.1', port: 9001 }]);
    const own = new CertificateStore(WEB);
    resolver = new DestinationResolver({
      addr: `127.0.0.1:${destination.port}`,
      scheme: 'local',
      contextToken: '',
      tls: { identity: own, serverName: CONTROL_PLANE },
    });
    const updates: Update[] = [];
    const arrived = new Promise<void>((resolve) =>
      resolver?.resolve(SERVICE, (update) => {
        updates.push(update);
        resolve();
      }),
    );
    // The watch is asked for before the proxy holds a certificate; it goes out once one arrives.
    own.set(issueWorkloadCertificate(ca.issuer, WEB));
    await arrived;
    expect(updates[0]).toMatchObject({ kind: 'reset', endpoints: [{ host: '127.0.0.1', port: 9001 }] });
  });

  it('refuses a control plane that proves another identity, and logs why', async () => {
    destination = new TestDestination();
    const impostor = identityName('web', 'emojivoto', DOMAIN);
    await destination.start(0, issueWorkloadCertificate(ca.issuer, impostor));
    destination.set(SERVICE, [{ ip: '127.0.0.1', port: 9001 }]);
    dir = mkdtempSync(join(tmpdir(), 'weft-cp-tls-'));
    const own = issueWorkloadCertificate(ca.issuer, WEB);
    writeFileSync(join(dir, 'web.crt'), own.certChainPem);
    writeFileSync(join(dir, 'web.key'), own.keyPem);
    child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        WEFT_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_DESTINATION_ADDR: `127.0.0.1:${destination.port}`,
        WEFT_PROXY_DESTINATION_SVC_NAME: CONTROL_PLANE,
        // The policy watch dials the control plane as soon as the proxy starts.
        WEFT_PROXY_POLICY_WORKLOAD: '{"ns":"emojivoto","pod":"web-0"}',
        WEFT_PROXY_IDENTITY_LOCAL_NAME: WEB,
        WEFT_PROXY_IDENTITY_TRUST_ANCHORS: ca.trustAnchorsPem,
        WEFT_PROXY_IDENTITY_CERT_FILE: join(dir, 'web.crt'),
        WEFT_PROXY_IDENTITY_KEY_FILE: join(dir, 'web.key'),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    const refused = new Promise<Record<string, string>>((resolve, reject) => {
      child?.stderr?.on('data', (chunk) => {
        log += chunk;
        const line = log.split('\n').find((l) => l.includes('"control plane connection failed"'));
        if (line) resolve(JSON.parse(line));
      });
      child?.once('exit', (code) => reject(new Error(`proxy exited ${code}: ${log}`)));
    });
    const line = await refused;
    expect(line.level).toBe('warn');
    expect(line.expected).toBe(CONTROL_PLANE);
    expect(line.error).toContain(`peer certificate names ${impostor}, expected ${CONTROL_PLANE}`);
    expect(destination.requests).toEqual([]);
  });
});
