import { describe, expect, it } from 'vitest';
import { LinePrefixer, painter } from './log-prefix.ts';

describe('LinePrefixer', () => {
  it('prefixes whole lines and holds a partial line until it is complete', () => {
    const out: string[] = [];
    const prefixer = new LinePrefixer('[web]', (text) => out.push(text));
    prefixer.push('listening on');
    expect(out).toEqual([]);
    prefixer.push(' port 8080\nsecond\nthi');
    prefixer.end();
    expect(out.join('')).toBe('[web] listening on port 8080\n[web] second\n[web] thi\n');
  });

  it('colours prefixes only when asked', () => {
    expect(painter(false)('[web]', 2)).toBe('[web]');
    expect(painter(true)('[web]', 2)).toBe('\u001b[32m[web]\u001b[0m');
  });
});
