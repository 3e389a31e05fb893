import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { votingClient } from '../src/grpc/clients.ts';
import { type Service, type Stack, startService, startStack, stopService } from './stack.ts';

let running: Service | undefined;

afterEach(async () => {
  if (running) await stopService(running);
  running = undefined;
});

async function startVoting(env: Record<string, string>) {
  const { service, match } = await startService(
    'voting',
    'voting/main.ts',
    { GRPC_PORT: '0', ...env },
    /gRPC server listening on port (\d+)/,
  );
  running = service;
  return votingClient(`127.0.0.1:${match[1]}`);
}

describe('voting-svc knobs from the retry and timeout labs', () => {
  it('FAILURE_RATE=0 lets doughnut votes through', async () => {
    const voting = await startVoting({ FAILURE_RATE: '0' });
    try {
      await voting.vote('VoteDoughnut');
      expect(await voting.results()).toEqual([{ shortcode: ':doughnut:', votes: 1 }]);
    } finally {
      voting.close();
    }
  });

  it('ARTIFICIAL_DELAY delays every vote by a Go duration', async () => {
    const voting = await startVoting({ ARTIFICIAL_DELAY: '300ms' });
    try {
      await voting.results(); // connect first, so only the vote is timed
      const started = performance.now();
      await voting.vote('VoteJoy');
      expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    } finally {
      voting.close();
    }
  });

  it('exits 1 naming the variable when configuration is wrong', () => {
    const entry = fileURLToPath(new URL('../src/web/main.ts', import.meta.url));
    const result = spawnSync(process.execPath, [entry], {
      env: { PATH: process.env.PATH ?? '', WEB_PORT: '0', EMOJISVC_HOST: '127.0.0.1:1' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('EMOJIVOTO_CONFIG_MISSING: environment variable VOTINGSVC_HOST is required');
  });
});

describe('web with INDEX_BUNDLE', () => {
  let stack: Stack | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves that file at /js, re-read on every request, and a JSON 500 when it is gone', async () => {
    dir = mkdtempSync(join(tmpdir(), 'emojivoto-bundle-'));
    const bundle = join(dir, 'index_bundle.js');
    writeFileSync(bundle, 'console.log("first");');
    stack = await startStack({}, { INDEX_BUNDLE: bundle });
    expect(await (await fetch(`${stack.webUrl}/js`)).text()).toBe('console.log("first");');
    writeFileSync(bundle, 'console.log("second");');
    expect(await (await fetch(`${stack.webUrl}/js`)).text()).toBe('console.log("second");');
    rmSync(bundle);
    const missing = await fetch(`${stack.webUrl}/js`);
    expect(missing.status).toBe(500);
    expect(await missing.json()).toEqual({ error: `INDEX_BUNDLE ${bundle}: ENOENT` });
    expect(stack.allAlive()).toBe(true);
  });
});
