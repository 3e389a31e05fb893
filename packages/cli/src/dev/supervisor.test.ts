import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alive } from '../../test/support/processes.ts';
import { painter } from './log-prefix.ts';
import type { ProcessSpec } from './process-spec.ts';
import { Supervisor } from './supervisor.ts';

let supervisor: Supervisor | undefined;
let written = '';

function makeSupervisor(readyTimeoutMs = 10_000): Supervisor {
  written = '';
  supervisor = new Supervisor({
    write: (text) => {
      written += text;
    },
    paint: painter(false),
    readyTimeoutMs,
    stopGraceMs: 1000,
  });
  return supervisor;
}

function nodeScript(name: string, script: string, ready: ProcessSpec['ready']): ProcessSpec {
  return { name, command: process.execPath, args: ['-e', script], env: {}, ready };
}

afterEach(async () => {
  await supervisor?.stop();
});

describe('Supervisor', () => {
  it('starts processes in order once each is ready, and prefixes their output', async () => {
    const s = makeSupervisor();
    await s.start([
      nodeScript('one', 'console.log("up"); setInterval(() => {}, 1000)', { kind: 'log', pattern: /up/ }),
      nodeScript('two', 'console.log("partial"); setInterval(() => {}, 1000)', { kind: 'log', pattern: /partial/ }),
    ]);
    expect(written.indexOf('[one] up')).toBeGreaterThan(-1);
    expect(written.indexOf('[dev] √ one ready (')).toBeLessThan(written.indexOf('[dev] starting two'));
    expect(s.pids()).toHaveLength(2);
  });

  it('fails with WEFT_CLI_DEV naming a process that exits before it is ready, with its last lines', async () => {
    const s = makeSupervisor();
    await expect(
      s.start([
        nodeScript('broken', 'console.error("bad config: PORT"); process.exit(3)', {
          kind: 'tcp',
          host: '127.0.0.1',
          port: 1,
        }),
      ]),
    ).rejects.toMatchObject({
      code: 'WEFT_CLI_DEV',
      message: 'broken exited (3) before it was ready\n  last lines of broken:\n    bad config: PORT',
    });
  });

  it('gives up on a process that never becomes ready', async () => {
    const s = makeSupervisor(400);
    await expect(
      s.start([nodeScript('silent', 'setInterval(() => {}, 1000)', { kind: 'log', pattern: /never/ })]),
    ).rejects.toThrow(/silent not ready after 0 s/);
  });

  it('restarts a process that exits after it was ready, counts the restart, and tells who listens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-supervisor-'));
    const s = makeSupervisor();
    try {
      // The first run exits 7 soon after it is ready; the second stays up.
      const marker = join(dir, 'ran-once');
      const script = `const fs = require('node:fs'); console.log('up');
        if (fs.existsSync(${JSON.stringify(marker)})) setInterval(() => {}, 1000);
        else { fs.writeFileSync(${JSON.stringify(marker)}, ''); setTimeout(() => process.exit(7), 200); }`;
      const changes: [string, boolean][] = [];
      const readyAgain = new Promise<void>((resolve) =>
        s.onReadiness((name, ready) => {
          changes.push([name, ready]);
          if (ready) resolve();
        }),
      );
      await s.start([nodeScript('flaky', script, { kind: 'log', pattern: /up/ })]);
      const firstPid = s.pids()[0];
      await readyAgain;
      expect(changes).toEqual([
        ['flaky', false],
        ['flaky', true],
      ]);
      expect(s.isReady('flaky')).toBe(true);
      expect(written).toContain('[dev] flaky exited (exit code 7); restart 1 in 0.5s\n');
      expect(written).toMatch(/\[dev\] √ flaky ready again \(restart 1, \d+\.\ds\)\n/);
      expect(s.processes()).toEqual([
        { name: 'flaky', pid: expect.any(Number), ready: true, restarts: 1, lastExit: 'exit code 7' },
      ]);
      expect(s.pids()).toHaveLength(1);
      expect(s.pids()[0]).not.toBe(firstPid);
    } finally {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts nothing again once stopping, and leaves nothing running', async () => {
    const s = makeSupervisor();
    await s.start([
      nodeScript('steady', 'console.log("up"); setInterval(() => {}, 1000)', { kind: 'log', pattern: /up/ }),
    ]);
    const [pid] = s.pids();
    await s.stop();
    expect(s.pids()).toEqual([]);
    expect(alive(pid as number)).toBe(false);
    expect(s.processes()).toMatchObject([{ name: 'steady', ready: false, restarts: 0, lastExit: 'killed by SIGTERM' }]);
    expect(written).not.toContain('restart 1');
  });
});
