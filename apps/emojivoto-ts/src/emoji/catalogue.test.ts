import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EMOJIS, findByShortcode } from './catalogue.ts';

describe('the emoji catalogue', () => {
  it('holds 99 unique shortcodes with the doughnut third and poop last', () => {
    expect(EMOJIS).toHaveLength(99);
    expect(new Set(EMOJIS.map((e) => e.shortcode)).size).toBe(99);
    expect(EMOJIS[2]?.shortcode).toBe(':doughnut:');
    expect(EMOJIS.at(-1)?.shortcode).toBe(':poop:');
  });

  it('keeps the exact bytes: VS16 where the original has it, none on the gendered pair', () => {
    const hex = (s: string) => Buffer.from(findByShortcode(s)?.unicode ?? '').toString('hex');
    expect(hex(':skull_and_crossbones:')).toBe('e298a0efb88f');
    expect(hex(':woman_shrugging:')).toBe('f09fa4b7e2808de29980');
    expect(hex(':skier:')).toBe('e29bb7');
    // One digest over every entry catches any change of order or bytes.
    const digest = createHash('sha256')
      .update(EMOJIS.map((e) => `${e.shortcode} ${e.unicode}`).join('\n'))
      .digest('hex');
    expect(digest).toBe(DIGEST);
  });

  it('answers undefined for shortcodes it does not have', () => {
    expect(findByShortcode(':relaxed:')).toBeUndefined();
    expect(findByShortcode('joy')).toBeUndefined();
  });
});

// sha256 of "<shortcode> <unicode>" lines, computed from the reference list of
// the original's emojis (not from this file), so the two are checked against each other.
const DIGEST = '270f66884fc83e2e62176bfc0325fa639bed14a3b90c5a63e74c6bff044d5fde';
