import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { alive, childrenOf, listeningAddresses } from '../../test/support/processes.ts';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

let dev: ChildProcess | undefined;
let output = '';

afterEach(async () => {
  if (dev && dev.exitCode === null && dev.signalCode === null) {
    dev.kill('SIGKILL');
    await once(dev, 'exit');
  }
  dev = undefined;
});

function startDev(...flags: string[]): Promise<string> {
  dev = spawn(process.execPath, [MAIN, 'dev', '--web-port', '0', ...flags], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  output = '';
  const child = dev;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL line in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/emojivoto is up: open (http:\/\/localhost:\d+)/);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`weft dev exited (${code}):\n${output}`)));
  });
}

describe('weft dev', () => {
  it('serves emojivoto at the printed URL and stops every process on SIGINT', async () => {
    const url = await startDev('--no-mesh');
    expect(output).toMatch(/\[web\] web: listening on port/);
    expect(output).toMatch(/\[dev\] √ vote-bot ready/);
    const list = (await (await fetch(`${url}/api/list`)).json()) as unknown[];
    expect(list).toHaveLength(99);

    const pid = dev?.pid as number;
    const children = childrenOf(pid);
    expect(children).toHaveLength(4);

    const exited = once(dev as ChildProcess, 'exit');
    dev?.kill('SIGINT');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(children.filter(alive)).toEqual([]);
    expect(output).toContain('SIGINT received, stopping every process');
  });

  it('runs without the bot on --no-bot and stops on SIGTERM too', async () => {
    const url = await startDev('--no-mesh', '--no-bot');
    const children = childrenOf(dev?.pid as number);
    expect(children).toHaveLength(3);
    expect(output).not.toContain('[vote-bot]');
    expect((await fetch(`${url}/api/vote?choice=:doughnut:`)).status).toBe(500);
    const exited = once(dev as ChildProcess, 'exit');
    dev?.kill('SIGTERM');
    expect(((await exited) as [number | null])[0]).toBe(0);
    expect(children.filter(alive)).toEqual([]);
  });

  it('binds every app to loopback only', async () => {
    await startDev('--no-mesh', '--no-bot');
    const apps = childrenOf(dev?.pid as number);
    expect(apps).toHaveLength(3);
    for (const pid of apps) {
      const addresses = listeningAddresses(pid);
      expect(addresses.length).toBeGreaterThan(0);
      for (const address of addresses) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    }
    const exited = once(dev as ChildProcess, 'exit');
    dev?.kill('SIGINT');
    await exited;
    expect(apps.filter(alive)).toEqual([]);
  });

  it('stops the others and exits 1 naming the process that died', async () => {
    await startDev('--no-mesh');
    const children = childrenOf(dev?.pid as number);
    const voting = children.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('voting/main.ts'));
    expect(voting).toBeDefined();
    const exited = once(dev as ChildProcess, 'exit');
    process.kill(voting as number, 'SIGKILL');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(1);
    expect(output).toContain('[dev] voting exited unexpectedly (killed by SIGKILL); stopping the others');
    expect(children.filter(alive)).toEqual([]);
  });
});
