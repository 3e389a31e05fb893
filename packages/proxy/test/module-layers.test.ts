import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// app/ assembles the proxy from its parts (configuration, listeners, admin);
// the parts never reach back up into it, so no part can form an import cycle
// with the configuration that names it. The one exception is the process's
// logger, app/log.ts, which imports nothing.

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

it('no module outside src/app/ imports from it, but for its logger', () => {
  const reaching: string[] = [];
  for (const file of sources(SRC)) {
    const from = relative(SRC, file);
    if (from.startsWith('app/')) continue;
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const target = relative(SRC, join(dirname(file), specifier as string));
      if (target.startsWith('app/') && target !== 'app/log.ts') reaching.push(`${from} -> ${target}`);
    }
  }
  expect(reaching).toEqual([]);
  expect(readFileSync(join(SRC, 'app/log.ts'), 'utf8')).not.toMatch(/^import /m);
});
