import { once } from 'node:events';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityServiceName } from '../src/server/self-certificate.ts';
import { DOMAIN, type IdentityFixture, startIdentityFixture } from './support/identity-fixture.ts';
import { ManualClock } from './support/manual-clock.ts';

const HOUR = 3600_000;

describe("the identity service's own certificate", () => {
  const clock = new ManualClock();
  let fixture: IdentityFixture;

  /**
   * The certificate a new TLS connection to the service sees. Not verified by
   * node:tls: the service issues on the manual clock, ahead of the real one.
   */
  const served = async () => {
    const socket = connect({
      host: '127.0.0.1',
      port: fixture.server.port,
      servername: fixture.server.serverIdentity,
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
    });
    await once(socket, 'secureConnect');
    const cert = socket.getPeerX509Certificate();
    socket.destroy();
    return cert;
  };

  beforeAll(async () => {
    fixture = await startIdentityFixture({ lifetimeMs: HOUR, serverClock: clock });
  });
  afterAll(() => fixture.close());

  it('names the service and chains to the trust anchors', async () => {
    const cert = await served();
    expect(fixture.server.serverIdentity).toBe(identityServiceName(DOMAIN));
    expect(cert?.subjectAltName).toBe(`DNS:${identityServiceName(DOMAIN)}`);
    expect(cert?.checkIssued(fixture.ca.issuer.certificate)).toBe(true);
    expect(cert?.verify(fixture.ca.issuer.certificate.publicKey)).toBe(true);
  });

  it('is re-signed at 70 % of its life, for new connections', async () => {
    const before = await served();
    clock.advance(0.7 * HOUR - 1_000);
    expect((await served())?.serialNumber).toBe(before?.serialNumber);
    clock.advance(1_000);
    const after = await served();
    expect(after?.serialNumber).not.toBe(before?.serialNumber);
    expect(after?.subjectAltName).toBe(`DNS:${identityServiceName(DOMAIN)}`);
    expect(after?.verify(fixture.ca.issuer.certificate.publicKey)).toBe(true);
    expect(after?.validFromDate.getTime()).toBeGreaterThan(before?.validFromDate.getTime() ?? Number.POSITIVE_INFINITY);
  });
});
