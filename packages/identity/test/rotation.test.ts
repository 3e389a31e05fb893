import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, createServer as createTcpServer, type Server, connect as tcpConnect } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { promtoolProblems } from '@weft/api/testing/promtool';
import { afterEach, describe, expect, it } from 'vitest';
import { createMeshCa, issueWorkloadCertificate } from '../src/ca/in-process.ts';
import { IdentityClient } from '../src/client/identity-client.ts';
import { staticCertificateSource } from '../src/tls/certificate-source.ts';
import { clientTlsOptions, keepServerContextFresh, serverTlsOptions } from '../src/tls/tls-options.ts';
import type { WorkloadCertificate } from '../src/tls/workload-certificate.ts';
import { CaptureLogger } from './support/capture-logger.ts';
import { EMOJI, type IdentityFixture, startIdentityFixture, WEB } from './support/identity-fixture.ts';
import { ManualClock } from './support/manual-clock.ts';

const HOUR = 3600_000;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startClient(
  fixture: IdentityFixture,
  clock: ManualClock,
  logger = new CaptureLogger(),
  address = fixture.server.address,
): IdentityClient {
  const client = new IdentityClient({
    address,
    identity: WEB,
    token: () => fixture.tokenFor(WEB),
    trustAnchorsPem: fixture.ca.trustAnchorsPem,
    serverIdentity: fixture.server.serverIdentity,
    clock,
    logger,
    random: () => 0.5,
  }).start();
  cleanups.push(() => client.close());
  return client;
}

const nextRotation = (client: IdentityClient) =>
  new Promise<WorkloadCertificate>((resolve) => {
    const off = client.onRotate((cert) => {
      off();
      resolve(cert);
    });
  });

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => server.close());
  return (server.address() as AddressInfo).port;
}

/**
 * A TCP front with a port of its own, as a Service address is: it drops every connection while
 * `backend` is unset, and passes them to `backend` (host:port) once it is set. A client keeps one
 * address while the service behind it goes away and comes back, and no other process can take
 * that address in between, as it could a port the service gave up.
 */
async function startFront(): Promise<{ address: string; backend: string | undefined }> {
  const front: { address: string; backend: string | undefined } = { address: '', backend: undefined };
  const server = createTcpServer((socket) => {
    socket.on('error', () => {});
    if (!front.backend) return void socket.destroy();
    const split = front.backend.lastIndexOf(':');
    const upstream = tcpConnect(Number(front.backend.slice(split + 1)), front.backend.slice(0, split));
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  front.address = `127.0.0.1:${await listen(server)}`;
  return front;
}

describe('certificate rotation', () => {
  it('renews at 70 % of the remaining life; new connections get the new certificate, open ones keep working', async () => {
    const fixture = await startIdentityFixture({ lifetimeMs: HOUR });
    cleanups.push(() => fixture.close());
    const clock = new ManualClock();
    const web = startClient(fixture, clock);
    clock.advance(0);
    const first = await web.ready();

    // The certificate lives about an hour from the client's clock (X.509 times
    // are whole seconds, and it was issued a few ms after the clock started)...
    const remaining = first.expiresAt.getTime() - clock.now();
    expect(remaining).toBeGreaterThan(HOUR - 5_000);
    expect(remaining).toBeLessThan(HOUR + 5_000);
    // ...and the client renews after 70 % of exactly that.
    const delay = Math.round(0.7 * remaining);
    expect(clock.pendingDelays()).toEqual([delay]);

    // `web` serves echo; a peer from the same mesh connects.
    const peer = staticCertificateSource(issueWorkloadCertificate(fixture.ca.issuer, EMOJI));
    const server = createServer(serverTlsOptions(web), (socket) => socket.pipe(socket));
    keepServerContextFresh(server, web);
    const port = await listen(server);
    const dial = async () => {
      const socket = connect({ host: '127.0.0.1', port, ...clientTlsOptions(peer, WEB) });
      await once(socket, 'secureConnect');
      cleanups.push(() => socket.destroy());
      return socket;
    };
    const before = await dial();
    expect(before.getPeerX509Certificate()?.serialNumber).toBe(first.leaf.serialNumber);

    clock.advance(delay - 1);
    expect(web.current).toBe(first);
    const rotated = nextRotation(web);
    clock.advance(1);
    const second = await rotated;
    expect(second.leaf.serialNumber).not.toBe(first.leaf.serialNumber);
    expect(web.current).toBe(second);

    const after = await dial();
    expect(after.getPeerX509Certificate()?.serialNumber).toBe(second.leaf.serialNumber);
    // The connection opened before the rotation still carries data.
    before.write('still here');
    const [echo] = await once(before, 'data');
    expect(String(echo)).toBe('still here');
  });

  it('presents the rotated certificate as a client on new connections', async () => {
    const fixture = await startIdentityFixture({ lifetimeMs: HOUR });
    cleanups.push(() => fixture.close());
    const clock = new ManualClock();
    const web = startClient(fixture, clock);
    clock.advance(0);
    const first = await web.ready();

    const emoji = staticCertificateSource(issueWorkloadCertificate(fixture.ca.issuer, EMOJI));
    const seen: string[] = [];
    const server = createServer(serverTlsOptions(emoji), (socket: TLSSocket) => {
      seen.push(socket.getPeerX509Certificate()?.serialNumber ?? 'none');
      socket.end();
    });
    const port = await listen(server);
    const dial = async () => {
      const socket = connect({ host: '127.0.0.1', port, ...clientTlsOptions(web, EMOJI) });
      await once(socket, 'close');
    };
    await dial();
    const rotated = nextRotation(web);
    clock.advance(clock.pendingDelays()[0] ?? 0);
    const second = await rotated;
    await dial();
    expect(seen).toEqual([first.leaf.serialNumber, second.leaf.serialNumber]);
  });

  it('is not ready while identity is down, backs off, and certifies once it is back', async () => {
    const ca = createMeshCa();
    const front = await startFront();
    const down = await startIdentityFixture({ ca });
    await down.close();
    const clock = new ManualClock();
    const logs = new CaptureLogger();
    const web = startClient(down, clock, logs, front.address);

    clock.advance(0);
    await logs.waitFor(/attempt=1 /);
    expect(web.isReady).toBe(false);
    expect(clock.pendingDelays()).toEqual([500]);
    clock.advance(500);
    await logs.waitFor(/attempt=2 /);
    expect(clock.pendingDelays()).toEqual([1000]);
    expect(web.metrics.render()).toMatch(/^control_identity_cert_refreshes_total\{result="failure"\} 2$/m);

    const back = await startIdentityFixture({ ca, tokenKey: down.tokenKey });
    cleanups.push(() => back.close());
    front.backend = back.server.address;
    clock.advance(1000);
    const cert = await web.ready();
    expect(cert.identity).toBe(WEB);
    expect(web.isReady).toBe(true);
    expect(new X509Certificate(cert.certChainPem).subjectAltName).toBe(`DNS:${WEB}`);
    const metrics = web.metrics.render();
    expect(metrics).toMatch(/^control_identity_cert_refreshes_total\{result="ok"\} 1$/m);
    expect(metrics).toContain(
      `control_identity_cert_expiration_timestamp_seconds ${cert.expiresAt.getTime() / 1000}\n`,
    );
    // The text a proxy appends to its own /metrics.
    expect(await promtoolProblems(metrics)).toEqual([]);
  });
});
