import { describe, expect, it } from 'vitest';
import { withSection } from './doc-section.ts';

const BEGIN = '<!-- proxy-hop: begin (written by the benchmark) -->';
const END = '<!-- proxy-hop: end -->';

describe('a benchmark writing its section of a shared document', () => {
  it('keeps the sections before and after its own, replacing only its own', () => {
    const doc = `# Benchmarks\n\nintro\n\n${BEGIN}\n## One mesh hop\nold figures\n${END}\n\n## Original destination lookup\nkept\n`;
    const next = withSection(doc, 'proxy-hop', '## One mesh hop\nnew figures\n');
    expect(next).toBe(
      `# Benchmarks\n\nintro\n\n${BEGIN}\n## One mesh hop\nnew figures\n${END}\n\n## Original destination lookup\nkept\n`,
    );
  });

  it('appends its section, markers included, to a document that has none, so the next run finds it', () => {
    const doc = '# Benchmarks\n\n## Original destination lookup\nkept\n';
    const once = withSection(doc, 'proxy-hop', 'first');
    expect(once).toBe(`${doc}\n${BEGIN}\nfirst\n${END}\n`);
    expect(withSection(once, 'proxy-hop', 'second')).toBe(`${doc}\n${BEGIN}\nsecond\n${END}\n`);
  });

  it("leaves another benchmark's section alone", () => {
    const other = '<!-- lookup: begin (written by the benchmark) -->\nits figures\n<!-- lookup: end -->';
    const doc = `${other}\n\n${BEGIN}\nold\n${END}\n`;
    expect(withSection(doc, 'proxy-hop', 'new')).toBe(`${other}\n\n${BEGIN}\nnew\n${END}\n`);
  });
});
