import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { CliErrorCode } from '../src/errors.ts';
import { newRunId, type PodNetworkPlan } from '../src/pods/plan.ts';
import { type PodNetwork, startPodNetwork } from '../src/pods/pod-network.ts';
import { teardownPodNetwork } from '../src/pods/teardown.ts';
import { eventually, leftovers, running, services, workloads } from './support/pods.ts';

// What a pods run leaves when it fails or dies, and how it is removed: by the
// run itself when set-up fails, by the next start when the run was killed.
// Real namespaces and interfaces (root, Linux), each name checked gone.

describe('a pods set-up that fails half-way', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'weft-pods-state-'));
  const run = newRunId();
  afterAll(() => {
    spawnSync('ip', ['netns', 'delete', `weft-${run}-plain`]);
    rmSync(stateDir, { recursive: true, force: true });
    expect(leftovers(run)).toEqual([]);
  });

  it('fails with PODS_NETWORK naming the step, and removes the pods it had made before', async () => {
    // The third pod's namespace is taken, so set-up stops after two pods.
    expect(spawnSync('ip', ['netns', 'add', `weft-${run}-plain`]).status).toBe(0);
    await expect(startPodNetwork({ workloads, services, stateDir, run })).rejects.toThrow(
      expect.objectContaining({
        code: CliErrorCode.PodsNetwork,
        message: expect.stringContaining(`weft-${run}-plain`),
      }),
    );
    expect(leftovers(run)).toEqual([]);
    expect(existsSync(join(stateDir, `${run}.json`))).toBe(false);
  });
});

describe('a pods run that cannot record its plan', () => {
  it('fails with PODS_NETWORK before it makes anything', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'weft-pods-state-')), 'not-a-folder');
    writeFileSync(file, '');
    const run = newRunId();
    try {
      await expect(startPodNetwork({ workloads, services, stateDir: file, run })).rejects.toThrow(
        expect.objectContaining({
          code: CliErrorCode.PodsNetwork,
          message: expect.stringContaining(`recording pods run ${run}`),
        }),
      );
      expect(leftovers(run)).toEqual([]);
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
  });
});

describe('a pods run that was killed', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'weft-pods-state-'));
  const unmeshed = workloads.map((w) => ({ ...w, meshed: false }));
  let runner: ChildProcess | undefined;
  let crashed: PodNetworkPlan | undefined;
  let next: PodNetwork | undefined;
  afterAll(() => {
    runner?.kill('SIGKILL');
    try {
      if (crashed) teardownPodNetwork(crashed, stateDir);
      next?.teardown();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
    for (const run of [crashed?.run, next?.plan.run]) if (run) expect(leftovers(run)).toEqual([]);
  });

  it('is cleaned up by the next start: its pods, their orphaned processes, its bridge and its state file', async () => {
    runner = spawn(
      process.execPath,
      [
        new URL('./support/hold-pod-network.ts', import.meta.url).pathname,
        JSON.stringify({ workloads: unmeshed, services, stateDir }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(createInterface({ input: runner.stdout as NodeJS.ReadableStream }), 'line')) as [string];
    const { plan, sleeper } = JSON.parse(line) as { plan: PodNetworkPlan; sleeper: number };
    crashed = plan;
    expect(running(sleeper)).toBe(true);
    runner.kill('SIGKILL');
    await once(runner, 'exit');
    expect(leftovers(plan.run).length).toBeGreaterThan(0);
    expect(existsSync(join(stateDir, `${plan.run}.json`))).toBe(true);

    next = await startPodNetwork({ workloads: unmeshed, services, stateDir });
    expect(leftovers(plan.run)).toEqual([]);
    expect(existsSync(join(stateDir, `${plan.run}.json`))).toBe(false);
    expect(await eventually(() => !running(sleeper))).toBe(true);
    expect(next.plan.run).not.toBe(plan.run);
  });
});
