import { describe, expect, it } from 'vitest';
import { queryParam } from './query.ts';

describe('queryParam', () => {
  it('finds the first value, decoded, and tells an empty value from an absent one', () => {
    expect(queryParam('a=1&b=2&a=3', 'a')).toBe('1');
    expect(queryParam('a=1&b=x%20y+z', 'b')).toBe('x y z');
    expect(queryParam('flag&c=', 'flag')).toBe('');
    expect(queryParam('flag&c=', 'c')).toBe('');
    expect(queryParam('ab=1', 'a')).toBeUndefined();
    expect(queryParam('', 'a')).toBeUndefined();
    expect(queryParam('a=%E0%A4%A', 'a')).toBeUndefined();
  });
});
