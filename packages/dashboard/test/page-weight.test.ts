import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { assetsDir } from '../assets.ts';

// The first load's budget: everything index.html pulls in, gzipped, under
// 300 KB; and all of it from the viz server itself, so the dashboard works
// offline. Reads the build (turbo builds before it tests).

const BUDGET_BYTES = 300 * 1024;

function firstLoad(): { path: string; gzipped: number }[] {
  const html = readFileSync(join(assetsDir, 'index.html'), 'utf8');
  const referenced = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
  const local = referenced.filter((r) => r.startsWith('/assets/'));
  return [
    { path: 'index.html', gzipped: gzipSync(html, { level: 9 }).length },
    ...local.map((path) => ({ path, gzipped: gzipSync(readFileSync(join(assetsDir, path)), { level: 9 }).length })),
  ];
}

describe('the built dashboard', () => {
  it('loads under 300 KB gzipped, script and styles included', () => {
    const files = firstLoad();
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining([expect.stringMatching(/\.js$/), expect.stringMatching(/\.css$/)]),
    );
    const total = files.reduce((sum, f) => sum + f.gzipped, 0);
    console.log(`first load: ${files.map((f) => `${f.path} ${f.gzipped} B`).join(', ')}; ${total} B gzipped`);
    expect(total).toBeLessThan(BUDGET_BYTES);
  });

  it('loads nothing from another origin', () => {
    const html = readFileSync(join(assetsDir, 'index.html'), 'utf8');
    const referenced = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(referenced.filter((r) => /^(https?:)?\/\//.test(r))).toEqual([]);
  });
});
