import { Socket } from 'node:net';

// Loaded into every process `weft dev` starts (NODE_OPTIONS=--import), so
// the process ends when `weft dev` does, even when `weft dev` is SIGKILLed
// and cannot stop anything itself. The runner holds the other end of a pipe
// on the child's fd LIFELINE_FD; the kernel closes it when the runner dies,
// and the read side sees end-of-file. The apps stay unmodified: this reaches
// them through their environment only.

/** Names the inherited descriptor; unset, the module does nothing (a process the child starts itself). */
export const LIFELINE_ENV = 'WEFT_DEV_LIFELINE_FD';

const fd = Number(process.env[LIFELINE_ENV]);
// A process the child starts inherits NODE_OPTIONS but not the pipe.
delete process.env[LIFELINE_ENV];

if (Number.isInteger(fd) && fd > 2) {
  try {
    const lifeline = new Socket({ fd, readable: true, writable: false });
    // The runner never writes; whatever arrives is discarded.
    lifeline.on('data', () => {});
    // SIGKILL rather than exit(): nobody is left to read a graceful shutdown,
    // and exit handlers (the compile cache's flush) take seconds on a busy machine.
    const runnerGone = () => process.kill(process.pid, 'SIGKILL');
    lifeline.once('end', runnerGone);
    lifeline.once('error', runnerGone);
    // It must not keep a process alive that would otherwise end.
    lifeline.unref();
  } catch {
    // fd is not a pipe (the variable was set by hand): nothing to watch.
  }
}
