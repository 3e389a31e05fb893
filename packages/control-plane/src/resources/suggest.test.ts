import { describe, expect, it } from 'vitest';
import { didYouMean, suggestions } from './suggest.ts';

describe('did you mean', () => {
  it('finds words within two edits or by their start, closest first', () => {
    expect(suggestions('chek', ['check', 'stat', 'trace'])).toEqual(['check']);
    expect(suggestions('tr', ['check', 'trace', 'top'])).toEqual(['top', 'trace']);
    expect(suggestions('inejct', ['inject', 'identity'])).toEqual(['inject']);
    expect(suggestions('xyzzy', ['check', 'stat'])).toEqual([]);
  });

  it('words the hint as cobra does, and says nothing when nothing is close', () => {
    expect(didYouMean('stats', ['stat', 'check'])).toBe('\nDid you mean this?\n\tstat\n\n');
    expect(didYouMean('xyzzy', ['stat', 'check'])).toBe('');
  });
});
