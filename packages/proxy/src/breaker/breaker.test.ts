import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Breaker } from './breaker.ts';

describe('breaker', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ejects after N consecutive failures, probes with one request, backs off longer after a failed probe', () => {
    let changes = 0;
    const b = new Breaker({ consecutive: 3, minBackoffMs: 1000, maxBackoffMs: 3000, jitterRatio: 0 }, () => changes++);
    b.record(true);
    b.record(true);
    b.record(false);
    b.record(true);
    b.record(true);
    expect(b.available).toBe(true);
    b.record(true);
    expect(b.state).toBe('open');
    expect(b.available).toBe(false);
    vi.advanceTimersByTime(999);
    expect(b.available).toBe(false);
    vi.advanceTimersByTime(1);
    expect(b.state).toBe('probing');
    expect(b.available).toBe(true);
    b.started();
    expect(b.available).toBe(false);
    b.record(true);
    expect(b.state).toBe('open');
    vi.advanceTimersByTime(1999);
    expect(b.state).toBe('open');
    vi.advanceTimersByTime(1);
    b.started();
    b.record(true);
    vi.advanceTimersByTime(3000);
    expect(b.state).toBe('probing');
    b.started();
    b.record(false);
    expect(b.state).toBe('closed');
    expect(b.available).toBe(true);
    expect(changes).toBeGreaterThan(0);
  });

  it('never ejects when off', () => {
    const b = new Breaker({ consecutive: 0, minBackoffMs: 1000, maxBackoffMs: 3000, jitterRatio: 0 }, () => {});
    for (let i = 0; i < 100; i++) b.record(true);
    expect(b.available).toBe(true);
  });

  it('lengthens each ejection by up to the jitter ratio of itself, never past the maximum', () => {
    const draws = [0.5, 0.99, 0.99];
    const settings = { consecutive: 1, minBackoffMs: 1000, maxBackoffMs: 3000, jitterRatio: 0.5 };
    const b = new Breaker(
      settings,
      () => {},
      () => draws.shift() ?? 0,
    );
    const ejectedFor = (ms: number) => {
      vi.advanceTimersByTime(ms - 1);
      expect(b.state).toBe('open');
      vi.advanceTimersByTime(1);
      expect(b.state).toBe('probing');
    };
    b.record(true);
    // 1000 ms + 0.5 × 0.5 × 1000.
    ejectedFor(1250);
    b.started();
    b.record(true);
    // 2000 ms + 0.99 × 0.5 × 2000 = 2990.
    ejectedFor(2990);
    b.started();
    b.record(true);
    // At the maximum (3000 ms) the jitter adds nothing: an ejection never lasts longer than the maximum.
    ejectedFor(3000);
    b.close();
  });

  it('keeps a huge backoff a long timer rather than one that fires at once', () => {
    const b = new Breaker({ consecutive: 1, minBackoffMs: 1e12, maxBackoffMs: 1e12, jitterRatio: 0 }, () => {});
    b.record(true);
    vi.advanceTimersByTime(24 * 3600_000);
    expect(b.state).toBe('open');
    b.close();
  });
});
