import { describe, expect, it } from 'vitest';
import { HEALTHY_RUN_MS, RestartBackoff } from './restart-backoff.ts';

describe('RestartBackoff', () => {
  it('waits 0.5 s, doubling up to 10 s while runs keep failing fast', () => {
    const backoff = new RestartBackoff();
    const delays = Array.from({ length: 8 }, () => backoff.next(100));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('starts again from 0.5 s after a run that stayed up long enough to count as healthy', () => {
    const backoff = new RestartBackoff();
    for (let i = 0; i < 5; i++) backoff.next(0);
    expect(backoff.next(HEALTHY_RUN_MS)).toBe(500);
    expect(backoff.next(HEALTHY_RUN_MS - 1)).toBe(1000);
  });
});
