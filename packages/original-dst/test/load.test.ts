import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// A copy of the package without its build/ folder, as after an install that
// skipped scripts, loaded by a fresh Node process.
describe('loading when the addon was never built', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const freshCopy = () => {
    dir = mkdtempSync(join(tmpdir(), 'weft-original-dst-'));
    const root = new URL('..', import.meta.url).pathname;
    for (const part of ['src', 'scripts', 'package.json'])
      cpSync(join(root, part), join(dir, part), { recursive: true });
    return dir;
  };
  const load = (copy: string, env: NodeJS.ProcessEnv = {}) => {
    const script = `import('${join(copy, 'src/load.ts')}').then((m) => console.log(JSON.stringify(m.loadOriginalDst())))`;
    const r = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { available: boolean; reason?: string };
  };

  it('builds it on first use', () => {
    const copy = freshCopy();
    expect(load(copy)).toEqual({ available: true });
    expect(existsSync(join(copy, 'build/original_dst.node'))).toBe(true);
  });

  it('reports it unavailable, with the reason, when there is no compiler', () => {
    const copy = freshCopy();
    const support = load(copy, { CC: join(copy, 'no-such-compiler') });
    expect(support.available).toBe(false);
    expect(support.reason).toMatch(/could not be built: .*no-such-compiler failed/);
  });
});
