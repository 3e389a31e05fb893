import { describe, expect, it } from 'vitest';
import { RetryBudget } from './budget.ts';

describe('retry budget', () => {
  it('allows the minimum per second over the window when nothing else is sent', () => {
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 10, ttlMs: 10_000 }, 0);
    let granted = 0;
    for (let i = 0; i < 500; i++) if (budget.withdraw(0)) granted++;
    expect(granted).toBe(100);
  });

  it('adds the ratio of requests seen, and forgets them after the ttl', () => {
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0, ttlMs: 10_000 }, 0);
    for (let i = 0; i < 1000; i++) budget.deposit(0);
    let granted = 0;
    for (let i = 0; i < 1000; i++) if (budget.withdraw(0)) granted++;
    expect(granted).toBe(200);
    expect(budget.withdraw(11_000)).toBe(false);
    budget.deposit(11_000);
    for (let i = 0; i < 4; i++) budget.deposit(11_000);
    expect(budget.withdraw(11_000)).toBe(true);
    expect(budget.withdraw(11_000)).toBe(false);
  });
});
