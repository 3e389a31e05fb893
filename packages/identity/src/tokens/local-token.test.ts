import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalTokenKey, localTokenValidator, mintLocalToken, readLocalTokenKey } from './local-token.ts';

const WEB = 'web.emojivoto.serviceaccount.identity.weft-system.cluster.local';

/** A correctly signed HS256 token with whatever claims a test needs, right or wrong. */
function signClaims(key: Buffer, claims: object): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

describe('local tokens', () => {
  const key = createLocalTokenKey();
  const validator = localTokenValidator(key);

  it('proves exactly the identity it was minted for', async () => {
    await expect(validator.validate(Buffer.from(mintLocalToken({ identity: WEB, key })))).resolves.toBe(WEB);
  });

  it('is a readable compact JWT naming its identity, audience and expiry', () => {
    const token = mintLocalToken({ identity: WEB, key, now: 1_000_000, ttlMs: 60_000 });
    const [header, claims] = token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(claims).toEqual({ iss: 'weft-local', aud: 'identity.weft.dev', sub: WEB, iat: 1000, nbf: 1000, exp: 1060 });
  });

  it('refuses a well-signed token from another issuer, for another audience, or without a not-before time', async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = { iss: 'weft-local', aud: 'identity.weft.dev', sub: WEB, iat: now, nbf: now, exp: now + 600 };
    await expect(validator.validate(Buffer.from(signClaims(key, good)))).resolves.toBe(WEB);
    const refused = (claims: object) => validator.validate(Buffer.from(signClaims(key, claims)));
    await expect(refused({ ...good, iss: 'someone-else' })).rejects.toMatchObject({
      code: 'WEFT_IDENTITY_UNAUTHENTICATED',
      message: 'local token was issued by "someone-else", not weft-local',
    });
    await expect(refused({ ...good, iss: undefined })).rejects.toThrow(/was issued by undefined, not weft-local/);
    await expect(refused({ ...good, aud: 'kubernetes' })).rejects.toThrow(
      /is for audience "kubernetes", not identity.weft.dev/,
    );
    await expect(refused({ ...good, nbf: undefined })).rejects.toThrow(/missing its subject, expiry or not-before/);
  });

  it('refuses a token that is not valid yet, and accepts it once its time comes', async () => {
    let now = Date.now();
    const clocked = localTokenValidator(key, { now: () => now });
    const early = Buffer.from(mintLocalToken({ identity: WEB, key, now: now + 120_000 }));
    await expect(clocked.validate(early)).rejects.toMatchObject({
      code: 'WEFT_IDENTITY_UNAUTHENTICATED',
      message: expect.stringMatching(/^local token is not valid before \d{4}-/),
    });
    now += 121_000;
    await expect(clocked.validate(early)).resolves.toBe(WEB);
  });

  it('refuses expired, forged, altered and garbage tokens', async () => {
    const refuse = (token: string) =>
      expect(validator.validate(Buffer.from(token))).rejects.toMatchObject({ code: 'WEFT_IDENTITY_UNAUTHENTICATED' });
    await refuse(mintLocalToken({ identity: WEB, key, now: Date.now() - 120_000, ttlMs: 60_000 }));
    await refuse(mintLocalToken({ identity: WEB, key: createLocalTokenKey() }));
    const [h, , s] = mintLocalToken({ identity: WEB, key }).split('.');
    const other = Buffer.from(
      JSON.stringify({ iss: 'weft-local', aud: 'identity.weft.dev', sub: 'admin', exp: 9e9 }),
    ).toString('base64url');
    await refuse(`${h}.${other}.${s}`);
    await refuse('');
    await refuse('a.b');
    await refuse('\u0000\u00ff.%%%.!!!');
  });

  it('reads a key file written as hex or raw bytes, and refuses a short one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-token-'));
    try {
      await writeFile(join(dir, 'hex'), `${key.toString('hex')}\n`);
      await writeFile(join(dir, 'raw'), key);
      await writeFile(join(dir, 'short'), 'abcd');
      expect((await readLocalTokenKey(join(dir, 'hex'))).equals(key)).toBe(true);
      expect((await readLocalTokenKey(join(dir, 'raw'))).equals(key)).toBe(true);
      await expect(readLocalTokenKey(join(dir, 'short'))).rejects.toThrow(/shorter than 32 bytes/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
