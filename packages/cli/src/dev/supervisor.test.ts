import { afterEach, describe, expect, it } from 'vitest';
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

  it('reports a process that exits on its own after start', async () => {
    const s = makeSupervisor();
    await s.start([
      nodeScript('short', 'console.log("ok"); setTimeout(() => process.exit(7), 200)', { kind: 'log', pattern: /ok/ }),
    ]);
    expect(await s.unexpectedExit).toEqual({ name: 'short', code: 7, signal: null });
  });
});
