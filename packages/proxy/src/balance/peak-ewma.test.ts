import { describe, expect, it } from 'vitest';
import { pickP2c } from './p2c.ts';
import { PeakEwma } from './peak-ewma.ts';

describe('PeakEwma', () => {
  it('jumps to a new peak and decays towards faster samples over τ', () => {
    const e = new PeakEwma(0, 30, 10_000);
    e.observe(100, 0);
    expect(e.rttMs).toBe(100);
    e.observe(10, 10_000);
    // w = e^-1: 100·0.368 + 10·0.632
    expect(e.rttMs).toBeCloseTo(100 * Math.exp(-1) + 10 * (1 - Math.exp(-1)), 6);
  });

  it('multiplies the estimate by the requests in flight', () => {
    const e = new PeakEwma(0, 20);
    e.pending = 3;
    expect(e.load(0)).toBe(80);
  });
});

describe('pickP2c', () => {
  it('prefers the endpoint with the lower load and never picks the same one twice', () => {
    const fast = new PeakEwma(0, 1);
    const slow = new PeakEwma(0, 10);
    const counts = new Map<PeakEwma, number>([
      [fast, 0],
      [slow, 0],
    ]);
    for (let i = 0; i < 1000; i++) {
      const e = pickP2c([slow, fast], 0) as PeakEwma;
      counts.set(e, (counts.get(e) ?? 0) + 1);
    }
    expect(counts.get(fast)).toBe(1000);
  });

  it('returns undefined with no endpoints and the only one with one', () => {
    const e = new PeakEwma(0);
    expect(pickP2c([], 0)).toBeUndefined();
    expect(pickP2c([e], 0)).toBe(e);
  });
});
