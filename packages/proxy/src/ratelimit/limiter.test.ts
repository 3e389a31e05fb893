import { describe, expect, it } from 'vitest';
import { RateLimiter } from './limiter.ts';

describe('local rate limit', () => {
  it('admits the total and per-identity budgets each second', () => {
    const limiter = new RateLimiter(5, 2);
    const admitted = (id: string) => limiter.admit(id, 1000);
    expect([admitted('a'), admitted('a'), admitted('a')]).toEqual([true, true, false]);
    expect([admitted('b'), admitted('b'), admitted('c'), admitted('c')]).toEqual([true, true, true, false]);
    expect(limiter.admit('a', 2000)).toBe(true);
  });

  it('gives identities named by an override their own budget', () => {
    const limiter = new RateLimiter(0, 1, [{ rps: 3, identities: ['bot'] }]);
    const admitted = (id: string) => limiter.admit(id, 1000);
    expect([admitted('bot'), admitted('bot'), admitted('bot'), admitted('bot')]).toEqual([true, true, true, false]);
    expect([admitted('web'), admitted('web')]).toEqual([true, false]);
  });
});
