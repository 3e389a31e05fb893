import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ERROR_CODES, identityError } from '../errors.ts';
import { MAX_TOKEN_BYTES, TOKEN_AUDIENCE, type TokenValidator } from './token-validator.ts';

// Tokens for the local runtime, where there is no API server to ask. The
// local runner holds a secret key, mints one token per workload naming that
// workload's identity, and hands it to the workload's proxy. The identity
// service holds the same key and checks the token. The format is a compact
// JWT (HS256), so standard tools can read one.

export const LOCAL_TOKEN_KEY_BYTES = 32;
export const DEFAULT_LOCAL_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export const LOCAL_TOKEN_ISSUER = 'weft-local';

/** The claims a local token carries. */
export interface LocalTokenClaims {
  readonly iss: typeof LOCAL_TOKEN_ISSUER;
  readonly aud: typeof TOKEN_AUDIENCE;
  /** The one identity name this token may be exchanged for. */
  readonly sub: string;
  readonly iat: number;
  /** Not valid before (seconds): a token dated in the future proves nothing yet. */
  readonly nbf: number;
  readonly exp: number;
}

/** A fresh random signing key for the runner to write (mode 0600) where identity can read it. */
export function createLocalTokenKey(): Buffer {
  return randomBytes(LOCAL_TOKEN_KEY_BYTES);
}

/** Reads a key file: raw bytes, or hex/base64 text, at least 32 bytes of key either way. */
export async function readLocalTokenKey(path: string): Promise<Buffer> {
  const raw = await readFile(path);
  const text = raw.toString('utf8').trim();
  const key = /^[0-9a-f]+$/i.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : raw;
  if (key.length < LOCAL_TOKEN_KEY_BYTES) {
    throw identityError(
      ERROR_CODES.INVALID_CONFIG,
      `local token key ${path} is shorter than ${LOCAL_TOKEN_KEY_BYTES} bytes`,
    );
  }
  return key;
}

const mac = (key: Buffer, signingInput: string): Buffer => createHmac('sha256', key).update(signingInput).digest();

export interface MintOptions {
  readonly identity: string;
  readonly key: Buffer;
  readonly ttlMs?: number;
  readonly now?: number;
}

/** Mints a token that proves `identity` until it expires. */
export function mintLocalToken(options: MintOptions): string {
  const now = options.now ?? Date.now();
  const claims: LocalTokenClaims = {
    iss: LOCAL_TOKEN_ISSUER,
    aud: TOKEN_AUDIENCE,
    sub: options.identity,
    iat: Math.floor(now / 1000),
    nbf: Math.floor(now / 1000),
    exp: Math.floor((now + (options.ttlMs ?? DEFAULT_LOCAL_TOKEN_TTL_MS)) / 1000),
  };
  const signingInput = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${signingInput}.${mac(options.key, signingInput).toString('base64url')}`;
}

const refuse = (reason: string) => identityError(ERROR_CODES.UNAUTHENTICATED, `local token ${reason}`, { reason });

function parseClaims(encoded: string): LocalTokenClaims {
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw refuse('claims are not JSON');
  }
  const c = claims as Partial<Record<keyof LocalTokenClaims, unknown>> | null;
  if (typeof c?.sub !== 'string' || typeof c.exp !== 'number' || typeof c.nbf !== 'number') {
    throw refuse('is missing its subject, expiry or not-before time');
  }
  if (c.iss !== LOCAL_TOKEN_ISSUER) throw refuse(`was issued by ${JSON.stringify(c.iss)}, not ${LOCAL_TOKEN_ISSUER}`);
  if (c.aud !== TOKEN_AUDIENCE) throw refuse(`is for audience ${JSON.stringify(c.aud)}, not ${TOKEN_AUDIENCE}`);
  return c as unknown as LocalTokenClaims;
}

/** Checks local tokens against the runner's key. */
export function localTokenValidator(key: Buffer, clock: { now(): number } = Date): TokenValidator {
  return {
    kind: 'local',
    validate: async (token) => {
      if (token.length === 0) throw refuse('is missing');
      if (token.length > MAX_TOKEN_BYTES) throw refuse('is too large');
      const parts = token.toString('latin1').split('.');
      if (parts.length !== 3) throw refuse('is not a compact JWT');
      const [header = '', payload = '', signature = ''] = parts;
      if (header !== HEADER) throw refuse('is not an HS256 token');
      const expected = mac(key, `${header}.${payload}`);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        throw refuse('signature does not verify');
      const claims = parseClaims(payload);
      const now = clock.now();
      if (claims.exp * 1000 <= now) throw refuse(`expired at ${new Date(claims.exp * 1000).toISOString()}`);
      if (claims.nbf * 1000 > now) throw refuse(`is not valid before ${new Date(claims.nbf * 1000).toISOString()}`);
      return claims.sub;
    },
  };
}
