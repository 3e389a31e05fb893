import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { alive, childrenOf, listeningAddresses } from '../../test/support/processes.ts';
import { MAIN, WeftDev } from '../../test/support/weft-dev.ts';

const RUN_STEPS = fileURLToPath(new URL('../../../../scripts/run-steps.mjs', import.meta.url));
const LIFELINE = fileURLToPath(new URL('../dev/lifeline.ts', import.meta.url));

let dev: WeftDev | undefined;
let runner: ChildProcess | undefined;

afterEach(async () => {
  await dev?.dispose();
  dev = undefined;
  if (runner && runner.exitCode === null && runner.signalCode === null) {
    // The runner's child has no lifeline to it: stop both.
    for (const pid of childrenOf(runner.pid as number)) process.kill(pid, 'SIGKILL');
    runner.kill('SIGKILL');
    await once(runner, 'exit');
  }
  runner = undefined;
});

async function startDev(...flags: string[]): Promise<{ mesh: WeftDev; url: string }> {
  dev = new WeftDev(flags);
  return { mesh: dev, url: await dev.url };
}

/** Polls until `done` holds, or fails naming `what` after `ms`. */
async function waitFor(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(50);
  }
}

const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8');

describe('weft dev', () => {
  it('serves emojivoto at the printed URL and stops every process on SIGINT', async () => {
    const { mesh, url } = await startDev('--no-mesh');
    expect(mesh.output).toMatch(/\[web\] web: listening on port/);
    expect(mesh.output).toMatch(/\[dev\] √ vote-bot ready/);
    const list = (await (await fetch(`${url}/api/list`)).json()) as unknown[];
    expect(list).toHaveLength(99);

    const children = childrenOf(mesh.pid);
    expect(children).toHaveLength(4);
    expect(await mesh.stop('SIGINT')).toBe(0);
    expect(children.filter(alive)).toEqual([]);
    expect(mesh.output).toContain('SIGINT received, stopping every process');
  });

  it('runs without the bot on --no-bot and stops on SIGTERM too', async () => {
    const { mesh, url } = await startDev('--no-mesh', '--no-bot');
    const children = childrenOf(mesh.pid);
    expect(children).toHaveLength(3);
    expect(mesh.output).not.toContain('[vote-bot]');
    expect((await fetch(`${url}/api/vote?choice=:doughnut:`)).status).toBe(500);
    expect(await mesh.stop('SIGTERM')).toBe(0);
    expect(children.filter(alive)).toEqual([]);
  });

  it('binds every app to loopback only', async () => {
    const { mesh } = await startDev('--no-mesh', '--no-bot');
    const apps = childrenOf(mesh.pid);
    expect(apps).toHaveLength(3);
    for (const pid of apps) {
      const addresses = listeningAddresses(pid);
      expect(addresses.length).toBeGreaterThan(0);
      for (const address of addresses) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    }
  });

  it('restarts an app that was killed after it was ready, on the same port, and keeps the rest running', async () => {
    const { mesh, url } = await startDev('--no-mesh', '--no-bot');
    const children = childrenOf(mesh.pid);
    const voting = children.find((pid) => commandLine(pid).includes('voting/main.ts')) as number;
    expect(voting).toBeDefined();
    process.kill(voting, 'SIGKILL');
    await waitFor('voting ready again', () => mesh.output.includes('[dev] √ voting ready again (restart 1,'));
    expect(mesh.output).toContain('[dev] voting exited (killed by SIGKILL); restart 1 in 0.5s');
    // web reaches the new voting on the address it always had.
    expect((await fetch(`${url}/api/vote?choice=:joy:`)).status).toBe(200);
    const now = childrenOf(mesh.pid);
    expect(now).toHaveLength(3);
    expect(now.filter((pid) => children.includes(pid))).toHaveLength(2);
    expect(mesh.child.exitCode).toBeNull();
  });

  it('takes its children with it when it is SIGKILLed', async () => {
    const { mesh } = await startDev('--no-mesh');
    const children = childrenOf(mesh.pid);
    expect(children).toHaveLength(4);
    const exited = once(mesh.child, 'exit');
    mesh.child.kill('SIGKILL');
    await exited;
    // Each child sees its lifeline close and exits; nothing is left to stop them.
    await waitFor('every child of the killed weft dev gone', () => children.filter(alive).length === 0, 5000);
  });

  it('refuses --pods with --no-mesh as a usage error, starting nothing', async () => {
    const child = spawn(process.execPath, [MAIN, 'dev', '--pods', '--no-mesh'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const [code] = (await once(child, 'close')) as [number];
    expect(code).toBe(2);
    expect(stderr).toContain('--pods runs the mesh in pods; it does not go with --no-mesh (WEFT_CLI_USAGE)');
  });

  it('refuses a second weft dev in the same directory, and takes over a lock its dead owner left', async () => {
    const { mesh } = await startDev('--no-mesh', '--no-bot');
    const second = spawn(process.execPath, [MAIN, 'dev', '--no-mesh', '--web-port', '0'], {
      cwd: mesh.dir,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    second.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(second, 'close')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toBe(
      `Error: weft dev is already running in ${mesh.dir} (pid ${mesh.pid}); stop it first, or run this one from another directory (WEFT_CLI_DEV_RUNNING)\n`,
    );
    expect(mesh.child.exitCode).toBeNull();
    expect(await mesh.stop('SIGTERM')).toBe(0);
    expect(() => readFileSync(join(mesh.dir, '.weft/dev/lock'))).toThrow(/ENOENT/);

    // A lock whose pid is gone (the runner that just stopped), or runs something else (this test), is stale.
    for (const stale of [mesh.pid, process.pid]) {
      writeFileSync(join(mesh.dir, '.weft/dev/lock'), `${stale}\n`);
      const again = new WeftDev(['--no-mesh', '--no-bot'], {}, mesh.dir);
      dev = again;
      await again.url;
      expect(readFileSync(join(mesh.dir, '.weft/dev/lock'), 'utf8')).toBe(`${again.pid}\n`);
      expect(await again.stop('SIGTERM')).toBe(0);
    }
  });

  it.each(['SIGTERM', 'SIGHUP', 'SIGKILL'] as const)(
    'stops everything when %s reaches only the runner of `npm run dev`',
    async (signal) => {
      const dir = mkdtempSync(join(tmpdir(), 'weft-dev-runner-'));
      try {
        // scripts/toolchain.mjs dev, past its toolchain and install checks: the same runSteps and lifeline.
        const steps = [[process.execPath, [MAIN, 'dev', '--no-mesh', '--no-bot', '--web-port', '0']]];
        const script = `import { runSteps } from ${JSON.stringify(RUN_STEPS)};
        runSteps(${JSON.stringify(steps)}, { cwd: ${JSON.stringify(dir)}, env: process.env, lifeline: ${JSON.stringify(LIFELINE)} });`;
        const started = spawn(process.execPath, ['--input-type=module', '-e', script], {
          env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
          // Its own process group: the signal goes to this pid and nowhere else.
          detached: true,
        });
        runner = started;
        let output = '';
        started.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
        });
        await waitFor('weft dev ready under the runner', () => output.includes('everything ready'), 40_000);
        const [cli] = childrenOf(started.pid as number);
        const apps = childrenOf(cli as number);
        expect(apps).toHaveLength(3);
        const exited = once(started, 'exit');
        started.kill(signal);
        const [code] = (await exited) as [number | null];
        const all = [cli as number, ...apps];
        if (signal === 'SIGKILL') {
          // Nothing forwards anything: weft dev sees its lifeline close, and its children theirs.
          await waitFor('weft dev and its children gone', () => all.filter(alive).length === 0, 5000);
        } else {
          // The runner exits with weft dev's status.
          expect(code).toBe(0);
          expect(output).toContain(`${signal} received, stopping every process`);
          expect(all.filter(alive)).toEqual([]);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
