import { describe, expect, it } from 'vitest';
import { formatRps } from './table.ts';

describe('requests per second', () => {
  it("prints one decimal as Linkerd does, and a slow route's rate rather than 0.0rps", () => {
    expect(formatRps(2)).toBe('2.0rps');
    expect(formatRps(0.25)).toBe('0.3rps');
    expect(formatRps(1 / 30)).toBe('0.033rps');
    expect(formatRps(0)).toBe('0.0rps');
    expect(formatRps(undefined)).toBe('-');
  });
});
