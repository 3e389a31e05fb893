import { describe, expect, it } from 'vitest';
import { parseGoDuration } from './duration.ts';

describe('parseGoDuration', () => {
  it.each([
    ['500ms', 500],
    ['1.5s', 1500],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['250us', 0.25],
    ['0', 0],
    ['.5s', 500],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each(['', '500', 'ms', '1x', '5 s', '1s2'])('rejects %j like Go does', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});
