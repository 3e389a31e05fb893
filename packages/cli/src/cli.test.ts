import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { VERSION } from './version.ts';
import { startViz, type VizServer } from './viz/server.ts';
import { runCli } from './viz/testing/run-cli.ts';

// What a user sees when a command is mistyped, asked about, or versioned.

describe('weft', () => {
  it('suggests the command meant, and exits 2', async () => {
    const { code, stdout, stderr } = await runCli(['stats']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `Error: unknown command "stats" for "weft"\n\nDid you mean this?\n\tstat\n\nRun 'weft help' for usage.\n`,
    );
    // Nothing close: no suggestion at all.
    expect((await runCli(['kubectl'])).stderr).toBe(
      `Error: unknown command "kubectl" for "weft"\nRun 'weft help' for usage.\n`,
    );
  });

  it('answers `weft help COMMAND` with that command’s usage, and an unknown topic as an unknown command', async () => {
    const help = await runCli(['help', 'stat']);
    expect(help.code).toBe(0);
    expect(help.stdout).toEqual((await runCli(['stat', '--help'])).stdout);
    expect(help.stdout).toContain('weft stat');
    const unknown = await runCli(['help', 'sta']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Did you mean this?\n\tstat\n');
    const all = await runCli(['help']);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('  version      Print the client and server version information');
    expect(all.stdout).toContain('Use "weft help [command]" for more information about a command.');
  });

  it('prints the client version, and the server’s from a running viz API or "unavailable"', async () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    const none = await runCli(['version', '--api-addr', 'http://127.0.0.1:1']);
    expect(none).toEqual({ code: 0, stdout: `Client version: ${VERSION}\nServer version: unavailable\n`, stderr: '' });
    expect((await runCli(['version', '--client', '--short'])).stdout).toBe(`${VERSION}\n`);

    let viz: VizServer | undefined;
    try {
      viz = await startViz();
      const running = await runCli(['version'], { WEFT_API_ADDR: viz.address });
      expect(running.stdout).toBe(`Client version: ${VERSION}\nServer version: ${VERSION}\n`);
    } finally {
      await viz?.close();
    }
  });

  it('runs as bin/weft from any directory, on the toolchain’s Node, with the user’s directory as its own', () => {
    const bin = new URL('../../../bin/weft', import.meta.url).pathname;
    const run = spawnSync(bin, ['version'], { cwd: tmpdir(), encoding: 'utf8', timeout: 60_000 });
    // Far from any checkout no `weft dev` is found: the server is unavailable, and that is no error.
    expect(run.stdout).toBe(`Client version: ${VERSION}\nServer version: unavailable\n`);
    expect(run.status).toBe(0);
    const typo = spawnSync(bin, ['stast'], { cwd: tmpdir(), encoding: 'utf8', timeout: 60_000 });
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('Did you mean this?\n\tstat\n');
  });

  it('says what to type when npm run weft is given flags without --', () => {
    const root = new URL('../../../', import.meta.url).pathname;
    const run = spawnSync('npm', ['run', '-s', 'weft', 'stat', 'deploy', '-o', 'wide'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      "npm took -o for itself: put -- before weft's arguments (npm run weft -- stat -n emojivoto deploy), or run bin/weft",
    );
  });
});
