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
    const b = new Breaker({ consecutive: 3, minBackoffMs: 1000, maxBackoffMs: 3000 }, () => changes++);
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
    const b = new Breaker({ consecutive: 0, minBackoffMs: 1000, maxBackoffMs: 3000 }, () => {});
    for (let i = 0; i < 100; i++) b.record(true);
    expect(b.available).toBe(true);
  });
});
