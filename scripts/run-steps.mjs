// Runs a task's steps in order, stopping at the first that fails, and exits
// with the last one's status. The task owns the terminal, so the signals that
// stop it are forwarded to the step running: SIGTERM or SIGHUP to this
// process alone (a service manager, a closed terminal) stops `weft dev` as
// Ctrl-C to the whole process group does.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { pathToFileURL } from 'node:url';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * `after(status)` runs once the last step ended and may change the status
 * (the test task's checks); not after an earlier step failed. `lifeline`: a
 * module (packages/cli/src/dev/lifeline.ts) each step, a Node process, loads
 * to exit when this process is gone, even SIGKILLed.
 */
export function runSteps(steps, { cwd, env, lifeline, after = async (status) => status }) {
  const [[cmd, args], ...rest] = steps;
  const child = lifeline
    ? spawn(cmd, args, {
        // fd 3: the pipe the child watches; this end closes when this process ends.
        stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
        cwd,
        env: {
          ...env,
          NODE_OPTIONS: [env.NODE_OPTIONS, `--import=${pathToFileURL(lifeline).href}`].filter(Boolean).join(' '),
          WEFT_DEV_LIFELINE_FD: '3',
        },
      })
    : spawn(cmd, args, { stdio: 'inherit', cwd, env });
  const forward = (signal) => child.kill(signal);
  for (const signal of FORWARDED) process.on(signal, forward);
  child.on('exit', async (code, signal) => {
    for (const s of FORWARDED) process.off(s, forward);
    const status = code ?? 128 + (constants.signals[signal] ?? 0);
    if (rest.length === 0) process.exit(await after(status));
    if (status === 0) return runSteps(rest, { cwd, env, lifeline, after });
    process.exit(status);
  });
}
