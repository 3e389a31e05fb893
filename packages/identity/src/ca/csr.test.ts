import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isIdentityError } from '../errors.ts';
import { checkCsrForIdentity, createCsr, MAX_CSR_BYTES, parseCsr } from './csr.ts';
import { generateP256KeyPair, spkiDer } from './keys.ts';

const WEB = 'web.emojivoto.serviceaccount.identity.weft-system.cluster.local';

describe('CSRs', () => {
  const { privateKey } = generateP256KeyPair();
  const csr = createCsr(WEB, privateKey);

  it('round-trips: one DNS SAN and CN equal to the identity, for our key', () => {
    const parsed = parseCsr(csr);
    expect(parsed.dnsNames).toEqual([WEB]);
    expect(parsed.commonName).toBe(WEB);
    expect(parsed.otherNameKinds).toEqual([]);
    expect(parsed.subjectPublicKeyInfo.equals(spkiDer(privateKey))).toBe(true);
    expect(() => checkCsrForIdentity(parsed, WEB)).not.toThrow();
    expect(() => checkCsrForIdentity(parsed, `x${WEB}`)).toThrow(/differs from the requested identity/);
  });

  it('answers hostile bytes with INVALID_CSR and nothing else: random, truncated, bit-flipped, oversized', () => {
    const inputs: Buffer[] = [Buffer.alloc(MAX_CSR_BYTES + 1, 0x30)];
    for (let i = 0; i < 300; i++) inputs.push(randomBytes(1 + (i % 200)));
    for (let cut = 0; cut < csr.length; cut += 7) inputs.push(csr.subarray(0, cut));
    for (let at = 0; at < csr.length; at += 3) {
      const flipped = Buffer.from(csr);
      flipped[at] = (flipped[at] as number) ^ 0x80;
      inputs.push(flipped);
    }
    let accepted = 0;
    for (const input of inputs) {
      try {
        parseCsr(input);
        accepted++;
      } catch (err) {
        expect(isIdentityError(err, ERROR_CODES.INVALID_CSR), String(err)).toBe(true);
      }
    }
    // A flip inside the CN can survive parsing but never the signature check.
    expect(accepted).toBe(0);
  });
});
