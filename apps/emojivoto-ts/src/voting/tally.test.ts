import { describe, expect, it } from 'vitest';
import { Tally } from './tally.ts';

describe('Tally', () => {
  it('lists only voted emojis, most votes first', () => {
    const tally = new Tally();
    expect(tally.results()).toEqual([]);
    tally.record(':joy:');
    tally.record(':taco:');
    tally.record(':taco:');
    expect(tally.results()).toEqual([
      { shortcode: ':taco:', votes: 2 },
      { shortcode: ':joy:', votes: 1 },
    ]);
  });
});
