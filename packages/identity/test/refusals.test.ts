import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type ServiceError, status } from '@grpc/grpc-js';
import type { CertifyRequest } from '@weft/api/gen/weft/identity/CertifyRequest.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsr } from '../src/ca/csr.ts';
import { createMeshCa } from '../src/ca/in-process.ts';
import type { Issuer } from '../src/ca/issuer.ts';
import type { IssuerProvider } from '../src/ca/issuer-source.ts';
import { generateP256KeyPair } from '../src/ca/keys.ts';
import type { CertifyChannel } from '../src/client/certify-rpc.ts';
import { createLocalTokenKey, mintLocalToken } from '../src/tokens/local-token.ts';
import { EMOJI, type IdentityFixture, startIdentityFixture, WEB } from './support/identity-fixture.ts';
import { opensslCsr, P256, P384, RSA2048 } from './support/openssl-csr.ts';

const code = (err: unknown) => (err as ServiceError).code;

describe('Certify refusals', () => {
  const ca = createMeshCa();
  const issuers: IssuerProvider & { current: Issuer | undefined } = { current: ca.issuer, onChange: () => () => {} };
  let fixture: IdentityFixture;
  let channel: CertifyChannel;
  const { privateKey } = generateP256KeyPair();
  const goodCsr = createCsr(WEB, privateKey);

  const ask = (request: CertifyRequest) => channel.certify(request, 5_000);
  const refusal = async (request: CertifyRequest): Promise<{ code: status; details: string }> => {
    const err = await ask(request).then(
      () => undefined,
      (e: ServiceError) => e,
    );
    expect(err, 'request should have been refused').toBeDefined();
    return { code: code(err), details: (err as ServiceError).details };
  };
  const valid = (): CertifyRequest => ({
    identity: WEB,
    token: Buffer.from(fixture.tokenFor(WEB)),
    certificateSigningRequest: goodCsr,
  });

  beforeAll(async () => {
    fixture = await startIdentityFixture({ ca, issuers });
    channel = fixture.channel();
  });
  afterAll(() => fixture.close());

  // Each refusal leaves a log line and the service serving the next request.
  const expectRefused = async (request: CertifyRequest, expected: status, details: RegExp) => {
    const before = fixture.logs.lines.length;
    const got = await refusal(request);
    expect(status[got.code]).toBe(status[expected]);
    expect(got.details).toMatch(details);
    const logged = fixture.logs.lines.slice(before).find((l) => l.includes('refused certify request'));
    expect(logged).toContain(`status=${status[expected]}`);
    await expect(ask(valid())).resolves.toHaveProperty('leafCertificate');
  };

  it('accepts a well-formed request, including a CSR made by openssl', async () => {
    await expect(ask(valid())).resolves.toHaveProperty('validUntil');
    const csr = await opensslCsr({ keyAlgorithm: P256, cn: WEB, san: `DNS:${WEB}` });
    await expect(ask({ ...valid(), certificateSigningRequest: csr })).resolves.toHaveProperty('leafCertificate');
  });

  it('refuses a CSR whose SAN differs from the identity (INVALID_ARGUMENT)', async () => {
    await expectRefused(
      { ...valid(), certificateSigningRequest: createCsr(EMOJI, privateKey) },
      status.INVALID_ARGUMENT,
      /differs from the requested identity/,
    );
  });

  it('refuses extra SANs, DNS or otherwise (INVALID_ARGUMENT)', async () => {
    const twoNames = await opensslCsr({ keyAlgorithm: P256, cn: WEB, san: `DNS:${WEB},DNS:evil.example.com` });
    await expectRefused(
      { ...valid(), certificateSigningRequest: twoNames },
      status.INVALID_ARGUMENT,
      /exactly one DNS SAN, it has 2/,
    );
    const email = await opensslCsr({ keyAlgorithm: P256, cn: WEB, san: `DNS:${WEB},email:a@b.c` });
    await expectRefused(
      { ...valid(), certificateSigningRequest: email },
      status.INVALID_ARGUMENT,
      /SANs other than DNS/,
    );
    const uri = await opensslCsr({ keyAlgorithm: P256, cn: WEB, san: `DNS:${WEB},URI:spiffe://cluster.local/x` });
    await expectRefused({ ...valid(), certificateSigningRequest: uri }, status.INVALID_ARGUMENT, /SANs other than DNS/);
  });

  it('refuses keys that are not ECDSA P-256 (INVALID_ARGUMENT)', async () => {
    const p384 = await opensslCsr({ keyAlgorithm: P384, cn: WEB, san: `DNS:${WEB}` });
    await expectRefused({ ...valid(), certificateSigningRequest: p384 }, status.INVALID_ARGUMENT, /not ECDSA P-256/);
    const rsa = await opensslCsr({ keyAlgorithm: RSA2048, cn: WEB, san: `DNS:${WEB}` });
    await expectRefused({ ...valid(), certificateSigningRequest: rsa }, status.INVALID_ARGUMENT, /not ECDSA P-256/);
  });

  it('refuses a CSR whose signature does not verify (INVALID_ARGUMENT)', async () => {
    const tampered = Buffer.from(goodCsr);
    tampered[tampered.length - 3] = (tampered[tampered.length - 3] as number) ^ 0x01;
    await expectRefused(
      { ...valid(), certificateSigningRequest: tampered },
      status.INVALID_ARGUMENT,
      /signature does not verify/,
    );
  });

  it('refuses missing, expired and forged tokens (UNAUTHENTICATED)', async () => {
    await expectRefused({ ...valid(), token: Buffer.alloc(0) }, status.UNAUTHENTICATED, /token is missing/);
    const expired = mintLocalToken({
      identity: WEB,
      key: fixture.tokenKey,
      now: Date.now() - 3_600_000,
      ttlMs: 60_000,
    });
    await expectRefused({ ...valid(), token: Buffer.from(expired) }, status.UNAUTHENTICATED, /expired at/);
    const forged = mintLocalToken({ identity: WEB, key: createLocalTokenKey() });
    await expectRefused(
      { ...valid(), token: Buffer.from(forged) },
      status.UNAUTHENTICATED,
      /signature does not verify/,
    );
    await expectRefused({ ...valid(), token: Buffer.from('not-a-token') }, status.UNAUTHENTICATED, /not a compact JWT/);
  });

  it('refuses a valid token for another identity (PERMISSION_DENIED)', async () => {
    await expectRefused(
      { ...valid(), token: Buffer.from(fixture.tokenFor(EMOJI)) },
      status.PERMISSION_DENIED,
      /token proves emoji\..*, not web\./,
    );
  });

  it('refuses malformed requests (INVALID_ARGUMENT)', async () => {
    await expectRefused({ ...valid(), identity: '' }, status.INVALID_ARGUMENT, /identity is missing/);
    await expectRefused(
      { ...valid(), identity: 'web.emojivoto.svc.cluster.local' },
      status.INVALID_ARGUMENT,
      /not an identity name of this mesh/,
    );
    await expectRefused({ ...valid(), identity: `${'a'.repeat(300)}.x` }, status.INVALID_ARGUMENT, /longer than 253/);
    await expectRefused(
      { ...valid(), certificateSigningRequest: Buffer.alloc(0) },
      status.INVALID_ARGUMENT,
      /CSR is empty/,
    );
    await expectRefused(
      { ...valid(), certificateSigningRequest: Buffer.from('30ff0102', 'hex') },
      status.INVALID_ARGUMENT,
      /does not parse/,
    );
    await expectRefused(
      { ...valid(), certificateSigningRequest: goodCsr.subarray(0, 40) },
      status.INVALID_ARGUMENT,
      /does not parse/,
    );
  });

  it('refuses an oversized request before parsing it (RESOURCE_EXHAUSTED)', async () => {
    const got = await refusal({ ...valid(), token: Buffer.alloc(100_000, 0x41) });
    expect(status[got.code]).toBe('RESOURCE_EXHAUSTED');
    await expect(ask(valid())).resolves.toHaveProperty('leafCertificate');
  });

  it('answers UNAVAILABLE while no issuer is loaded, and serves again once one is', async () => {
    issuers.current = undefined;
    try {
      const got = await refusal(valid());
      expect(status[got.code]).toBe('UNAVAILABLE');
      expect(got.details).toBe('no issuer is loaded');
    } finally {
      issuers.current = ca.issuer;
    }
    await expect(ask(valid())).resolves.toHaveProperty('leafCertificate');
  });

  it('keeps serving after garbage on the port: random bytes, plaintext HTTP/2, a TLS client that says nothing useful', async () => {
    const port = fixture.server.port;
    const raw = connect(port, '127.0.0.1');
    await once(raw, 'connect');
    // Garbage that is not a TLS record from its first byte. Purely random bytes
    // now and then read as the header of an SSLv2 hello (high bit set, type 1);
    // OpenSSL then waits for the rest of it until the 120 s handshake timeout.
    raw.end(Buffer.concat([Buffer.from('\x00not tls\r\n', 'latin1'), randomBytes(4096)]));
    await once(raw, 'close');
    const plain = connect(port, '127.0.0.1');
    await once(plain, 'connect');
    plain.end('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x04\x08\x00\x00\x00\x00\x00');
    await once(plain, 'close');
    // A TLS client that negotiates h2 and then sends noise stays open while
    // others are served; it is not this test's business how long it lingers.
    const tls = tlsConnect({
      port,
      host: '127.0.0.1',
      ca: ca.trustAnchorsPem,
      servername: fixture.server.serverIdentity,
      checkServerIdentity: () => undefined,
      ALPNProtocols: ['h2'],
    });
    tls.on('error', () => {});
    await once(tls, 'secureConnect');
    tls.write(randomBytes(4096));
    try {
      await expect(ask(valid())).resolves.toHaveProperty('leafCertificate');
    } finally {
      tls.destroy();
    }
    await expect(ask(valid())).resolves.toHaveProperty('leafCertificate');
  });

  it('counts every answer by result on its metrics', () => {
    const text = fixture.server.metrics.render();
    expect(text).toMatch(/^identity_certify_requests_total\{result="ok"\} \d+$/m);
    expect(text).toMatch(/^identity_certify_requests_total\{result="invalid_argument"\} [1-9]\d*$/m);
    expect(text).toMatch(/^identity_certify_requests_total\{result="unauthenticated"\} 4$/m);
    expect(text).toMatch(/^identity_certify_requests_total\{result="permission_denied"\} 1$/m);
    expect(text).toMatch(/^identity_certify_requests_total\{result="unavailable"\} 1$/m);
  });
});
