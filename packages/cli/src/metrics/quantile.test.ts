import { describe, expect, it } from 'vitest';
import { histogramQuantile } from './quantile.ts';

const LINKERD_BUCKETS = [1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, Number.POSITIVE_INFINITY];

/** Cumulative buckets for a set of observed latencies. */
function observe(latencies: number[]) {
  return LINKERD_BUCKETS.map((le) => ({ le, count: latencies.filter((l) => l <= le).length }));
}

describe('histogramQuantile', () => {
  it('interpolates inside the bucket that holds the rank', () => {
    // 100 observations spread evenly over (10, 20]: p50 falls in the middle of that bucket.
    const latencies = Array.from({ length: 100 }, (_, i) => 10.05 + i * 0.099);
    expect(histogramQuantile(0.5, observe(latencies))).toBeCloseTo(15, 5);
    expect(histogramQuantile(0.99, observe(latencies))).toBeCloseTo(19.9, 5);
  });

  it('separates a fast majority from a slow tail', () => {
    const latencies = [...Array(95).fill(2.5), ...Array(5).fill(450)];
    expect(histogramQuantile(0.5, observe(latencies))).toBeLessThanOrEqual(3);
    expect(histogramQuantile(0.99, observe(latencies))).toBeGreaterThan(400);
  });

  it('answers the highest finite bound for ranks in +Inf, and nothing without data', () => {
    expect(histogramQuantile(0.99, observe([5000, 6000]))).toBe(1000);
    expect(histogramQuantile(0.5, observe([]))).toBeUndefined();
  });
});
