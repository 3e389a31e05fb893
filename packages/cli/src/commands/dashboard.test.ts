import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startViz, type VizServer } from '../viz/server.ts';

// `weft dashboard` as a user runs it: a real process, a real viz server, and
// a PATH with or without a browser opener.

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const run = promisify(execFile);

let viz: VizServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'weft-dashboard-cmd-'));
  viz = await startViz();
});

afterAll(async () => {
  await viz?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const weft = (args: string[], env: Record<string, string>) =>
  run(process.execPath, [MAIN, 'dashboard', ...args], { cwd: dir, env, timeout: 20_000 });

describe('weft dashboard', () => {
  it('opens the viz server root with the desktop opener and prints the URL', async () => {
    const bin = mkdtempSync(join(dir, 'bin-'));
    const opened = join(dir, 'opened');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" > ${opened}\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const { stdout } = await weft([], { PATH: `${bin}:/usr/bin:/bin`, WEFT_API_ADDR: viz.address });
    expect(stdout).toContain(`${viz.address}/`);
    for (let i = 0; i < 100 && !readFileSync(opened, { flag: 'a+' }).length; i++) await sleep(50);
    expect(readFileSync(opened, 'utf8').trim()).toBe(`${viz.address}/`);
  });

  it('prints the URL and succeeds where there is no browser to open', async () => {
    const { stdout } = await weft([], { PATH: mkdtempSync(join(dir, 'empty-')), WEFT_API_ADDR: viz.address });
    expect(stdout).toBe(`Weft dashboard available at:\n${viz.address}/\n`);
  });

  it('prints only the URL with --show url, carrying --prometheus for the pages', async () => {
    const { stdout } = await weft(['--show', 'url', '--prometheus', 'http://127.0.0.1:9090'], {
      WEFT_API_ADDR: viz.address,
    });
    expect(stdout).toBe(`${viz.address}/?prometheus=http%3A%2F%2F127.0.0.1%3A9090\n`);
  });

  it('says the mesh is not running, with exit code 1, when no viz server answers', async () => {
    const failed = await weft(['--show', 'url'], { WEFT_API_ADDR: 'http://127.0.0.1:1' }).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/viz API at http:\/\/127\.0\.0\.1:1 is unreachable.*WEFT_CLI_VIZ/);
  });
});
