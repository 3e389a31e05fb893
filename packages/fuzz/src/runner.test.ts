import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Child, startChild } from './child.ts';
import { FuzzErrorCode } from './errors.ts';
import { fuzzTarget, type RunOptions, type Target } from './runner.ts';

// The fuzzer must fail when the process it fuzzes dies or leaks: tried here
// against small servers that do exactly that on purpose.

const SERVER = (onData: string, onConnection = '') => `
const net = require('node:net');
const kept = [];
const server = net.createServer((socket) => {
  ${onConnection}
  socket.on('error', () => {});
  socket.on('data', (chunk) => { ${onData} });
});
server.listen(0, '127.0.0.1', () => console.error('listening on ' + server.address().port));
`;

const lines: string[] = [];
const OPTIONS: RunOptions = {
  seed: 42,
  seconds: 3,
  concurrency: 4,
  batch: 8,
  lingerMs: 200,
  rssGrowthBytes: 64 * 1024 * 1024,
  descriptorGrowth: 16,
  log: (line) => lines.push(line),
};

function connects(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });
}

let child: Child | undefined;
afterEach(async () => {
  await child?.stop();
  child = undefined;
});

async function target(onData: string, onConnection?: string): Promise<Target> {
  const started = await startChild({
    name: 'toy',
    args: ['-e', SERVER(onData, onConnection)],
    env: {},
    listening: /listening on (\d+)/,
  });
  child = started.child;
  const port = Number(started.match[1]);
  return {
    name: 'toy',
    child: started.child,
    endpoint: { port },
    profile: { authorities: ['localhost'], paths: ['/'] },
    check: () => connects(port),
  };
}

describe('the fuzz runner', () => {
  it('fails with the seed, the target, the last inputs and the stack trace when the process dies', async () => {
    const t = await target(`if (chunk.includes('PRI * HTTP/2.0')) throw new Error('dying on purpose');`);
    const error = await fuzzTarget(t, OPTIONS).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: FuzzErrorCode.TargetDown });
    const message = (error as Error).message;
    expect(message).toContain('toy: toy ended (exit code 1)');
    expect(message).toContain('seed 42 (replay: pnpm --filter @weft/fuzz fuzz -- --target toy --seed 42)');
    expect(message).toMatch(/known: RST_STREAM code 1 right after HEADERS \(plaintext\), writes of \d+ bytes/);
    expect(message).toContain('Error: dying on purpose');
  });

  it('fails when the process grows its memory past the bound', async () => {
    const t = await target(`kept.push(Buffer.alloc(4 * 1024 * 1024, 1));`);
    const error = await fuzzTarget(t, { ...OPTIONS, rssGrowthBytes: 16 * 1024 * 1024 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: FuzzErrorCode.MemoryGrowth });
    expect((error as Error).message).toMatch(/RSS grew by [\d.]+ MiB, more than the bound of 16.0 MiB/);
  });

  it('fails when the process keeps the connections it was sent open', async () => {
    // Half-open: a FIN from the fuzzer leaves the server's side, and its descriptor, open.
    const t = await target('', 'socket.allowHalfOpen = true;');
    const error = await fuzzTarget(t, OPTIONS).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: FuzzErrorCode.DescriptorGrowth });
    expect((error as Error).message).toMatch(
      /\d+ file descriptors open 10 s after the run, \d+ before it \(bound: 16 more\)/,
    );
  });

  it('passes a process that survives, after more connections than the known shapes', async () => {
    const t = await target('');
    const result = await fuzzTarget(t, OPTIONS);
    expect(result.connections).toBeGreaterThanOrEqual(OPTIONS.batch);
    expect(lines.some((l) => l.startsWith('fuzz toy: seed 42, 3 s'))).toBe(true);
  });
});
