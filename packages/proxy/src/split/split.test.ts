import { describe, expect, it } from 'vitest';
import { buildSplit, Split } from './split.ts';

describe('split', () => {
  it('picks by weight', () => {
    const split = new Split(['a', 'b'], [9000, 1000]);
    expect(split.pick(0)).toBe('a');
    expect(split.pick(0.899)).toBe('a');
    expect(split.pick(0.9)).toBe('b');
    expect(split.pick(0.999)).toBe('b');
  });

  it('leaves out zero weights, and makes no split without any weight', () => {
    const split = buildSplit(
      [
        { authority: 'a:80', weight: 0 },
        { authority: 'b:80', weight: 10000 },
      ],
      (a) => a,
    );
    expect(split?.targets).toEqual(['b:80']);
    expect(buildSplit([{ authority: 'a:80', weight: 0 }], (a) => a)).toBeUndefined();
  });
});
