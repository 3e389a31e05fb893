import { describe, expect, it } from 'vitest';
import { reuseUnchanged } from './reuse-unchanged.ts';

describe('reuseUnchanged', () => {
  it('decodes again only when the bytes change', () => {
    let decodes = 0;
    const decode = reuseUnchanged((bytes: Buffer) => {
      decodes += 1;
      return { text: bytes.toString() };
    });
    const first = decode(Buffer.from('joy'));
    expect(decode(Buffer.from('joy'))).toBe(first);
    expect(decodes).toBe(1);
    expect(decode(Buffer.from('taco'))).toEqual({ text: 'taco' });
    expect(decodes).toBe(2);
  });

  it('keeps its own copy, so a caller reusing the buffer cannot fool it', () => {
    const decode = reuseUnchanged((bytes: Buffer) => bytes.toString());
    const shared = Buffer.from('joy');
    decode(shared);
    shared.write('fox');
    expect(decode(shared)).toBe('fox');
  });
});
