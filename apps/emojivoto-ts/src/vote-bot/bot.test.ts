import { describe, expect, it } from 'vitest';
import { EMOJIS } from '../emoji/catalogue.ts';
import { pickChoice } from './bot.ts';

/** A deterministic stand-in for Math.random: a fixed sequence of draws. */
function draws(...values: number[]): () => number {
  return () => values.shift() ?? 0;
}

describe('vote-bot choice', () => {
  it('votes :doughnut: when the first draw falls in the 15 % band', () => {
    expect(pickChoice(EMOJIS, draws(0.149))).toBe(':doughnut:');
  });

  it('otherwise picks uniformly from the list with a second draw', () => {
    expect(pickChoice(EMOJIS, draws(0.15, 0))).toBe(':joy:');
    expect(pickChoice(EMOJIS, draws(0.5, 0.999))).toBe(':poop:');
    expect(pickChoice(EMOJIS, draws(0.9, 2 / 99))).toBe(':doughnut:');
  });

  it('has nothing to vote for when the list is empty', () => {
    expect(pickChoice([], draws(0.9, 0.5))).toBeUndefined();
  });
});
