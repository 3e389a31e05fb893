import { describe, expect, it } from 'vitest';
import { processChecks } from './process-checks.ts';
import { renderChecks } from './result.ts';

describe('weft check: the processes of weft dev', () => {
  it('lists each with its restarts, like kubectl, and passes when all are ready', () => {
    const category = processChecks([
      { name: 'control-plane', pid: 4242, ready: true, restarts: 2, lastExit: 'killed by SIGKILL' },
      { name: 'emoji-proxy', pid: 4343, ready: true, restarts: 0 },
    ]);
    expect(renderChecks(category ? [category] : [])).toBe(
      [
        'weft-dev',
        '--------',
        'NAME            READY   RESTARTS   PID    LAST EXIT',
        'control-plane   1/1     2          4242   killed by SIGKILL',
        'emoji-proxy     1/1     0          4343   -',
        '',
        '√ weft dev processes are ready',
        '',
        'Status check results are √',
        '',
      ].join('\n'),
    );
  });

  it('fails naming a process that waits to start again, or is not ready yet', () => {
    const category = processChecks([
      { name: 'emoji', ready: false, restarts: 3, lastExit: 'exit code 1' },
      { name: 'web', pid: 77, ready: false, restarts: 1, lastExit: 'killed by SIGKILL' },
    ]);
    expect(category?.checks).toEqual([
      {
        description: 'weft dev processes are ready',
        status: 'fail',
        hint: expect.stringContaining('starts a process that exited again'),
        details: ['emoji: waiting to start again (exit code 1), restarts 3', 'web: started, not ready yet, restarts 1'],
      },
    ]);
  });

  it('adds nothing for a viz server that supervises no process', () => {
    expect(processChecks([])).toBeUndefined();
  });
});
