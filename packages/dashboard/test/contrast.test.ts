import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Readable in both themes: every text colour of the stylesheet against the
// backgrounds it is drawn on meets WCAG AA for normal text (4.5:1).

const css = readFileSync(new URL('../src/styles.css', import.meta.url), 'utf8');

/** The custom properties of the first rule whose selector matches. */
function theme(selector: RegExp): Record<string, string> {
  const block = css.match(new RegExp(`${selector.source}\\s*\\{([^}]*)\\}`))?.[1];
  if (!block) throw new Error(`no rule ${selector}`);
  return Object.fromEntries([...block.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1], m[2]]));
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const TEXT = ['fg', 'muted', 'accent', 'good', 'warn', 'bad', 'insecure'];
const BACKGROUNDS = ['bg', 'panel'];

describe('the dashboard themes', () => {
  for (const [name, selector] of [
    ['light', /:root/],
    ['dark', /:root\[data-theme="dark"\]/],
  ] as const) {
    it(`keep every text colour at 4.5:1 or more on the ${name} backgrounds`, () => {
      const t = theme(selector);
      const failing = TEXT.flatMap((fg) =>
        BACKGROUNDS.map((bg) => ({ pair: `${fg} on ${bg}`, ratio: contrast(t[fg] as string, t[bg] as string) })),
      ).filter((c) => !(c.ratio >= 4.5));
      expect(failing).toEqual([]);
    });
  }

  it('gives the system dark preference the same colours as the dark toggle', () => {
    expect(theme(/:root:not\(\[data-theme="light"\]\)/)).toEqual(theme(/:root\[data-theme="dark"\]/));
  });
});
