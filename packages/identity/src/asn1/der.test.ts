import { describe, expect, it } from 'vitest';
import { children, decodeOid, integer, oid, readOnly, sequence, TAG, time } from './der.ts';

describe('DER', () => {
  it('encodes INTEGERs minimally, positive, whatever their size', () => {
    expect(integer(0).toString('hex')).toBe('020100');
    expect(integer(127).toString('hex')).toBe('02017f');
    expect(integer(128).toString('hex')).toBe('02020080');
    expect(integer(256).toString('hex')).toBe('02020100');
    expect(integer(0x12345).toString('hex')).toBe('0203012345');
    expect(integer(Buffer.from('0000ff', 'hex')).toString('hex')).toBe('020200ff');
  });

  it('round-trips OIDs with multi-byte arcs', () => {
    for (const id of ['1.2.840.10045.4.3.2', '2.5.29.17', '1.3.6.1.5.5.7.3.1', '1.2.840.113549.1.9.14']) {
      expect(decodeOid(readOnly(oid(id)))).toBe(id);
    }
  });

  it('uses long-form lengths past 127 bytes and reads them back', () => {
    const big = sequence(Buffer.alloc(300, 0x05));
    expect(big.subarray(0, 4).toString('hex')).toBe('3082012c');
    expect(readOnly(big).content.length).toBe(300);
  });

  it('writes UTCTime before 2050 and GeneralizedTime from 2050', () => {
    expect(time(new Date('2026-11-21T19:42:05Z')).toString('latin1').slice(2)).toBe('261121194205Z');
    expect(time(new Date('2050-01-01T00:00:00Z'))[0]).toBe(TAG.GENERALIZED_TIME);
  });

  it('refuses truncated values, trailing bytes and indefinite lengths', () => {
    expect(() => readOnly(Buffer.from('3005020100', 'hex'))).toThrow(/runs past the end/);
    expect(() => readOnly(Buffer.from('02010000', 'hex'))).toThrow(/trailing bytes/);
    expect(() => readOnly(Buffer.from('3080020100000', 'hex'))).toThrow(/unsupported length/);
    expect(() => children(readOnly(Buffer.from('020100', 'hex')))).toThrow(/not constructed/);
  });
});
