import { describe, expect, it } from 'vitest';
import { DEFAULT_REFRESH_POLICY, renewalDelay, retryDelay } from './refresh-policy.ts';

const HOUR = 3600_000;

describe('refresh policy', () => {
  it('renews a 24 h certificate after 70 % of its remaining life (16.8 h)', () => {
    expect(renewalDelay(24 * HOUR, 0, DEFAULT_REFRESH_POLICY)).toBe(Math.round(16.8 * HOUR));
  });

  it('counts only the remaining life of a certificate that is already half used', () => {
    expect(renewalDelay(24 * HOUR, 12 * HOUR, DEFAULT_REFRESH_POLICY)).toBe(Math.round(8.4 * HOUR));
  });

  it('never waits less than the minimum, even for an expired certificate', () => {
    expect(renewalDelay(5_000, 0, DEFAULT_REFRESH_POLICY)).toBe(10_000);
    expect(renewalDelay(0, HOUR, DEFAULT_REFRESH_POLICY)).toBe(10_000);
  });

  it('never waits more than the maximum', () => {
    expect(renewalDelay(30 * 24 * HOUR, 0, DEFAULT_REFRESH_POLICY)).toBe(24 * HOUR);
  });

  it('backs off exponentially up to the minimum refresh, with bounded jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => retryDelay(n, DEFAULT_REFRESH_POLICY, mid))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect(retryDelay(1, DEFAULT_REFRESH_POLICY, () => 0)).toBe(400);
    expect(retryDelay(1, DEFAULT_REFRESH_POLICY, () => 0.999_999)).toBe(600);
  });
});
