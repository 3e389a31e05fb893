import type { CommandIo } from './command.ts';

/** An abort signal for a live command, and the call that unhooks it. */
export interface Interrupt {
  readonly controller: AbortController;
  dispose(): void;
}

/**
 * Live commands (tap, top) run until Ctrl-C, or until their output goes away
 * (the terminal closes, or a pipe such as `| head` ends): either aborts the
 * returned controller. `dispose` removes the listeners so none outlive the command.
 */
export function stopOnInterrupt(io: CommandIo): Interrupt {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  io.stdout.once('close', stop);
  io.stdout.once('error', stop);
  return {
    controller,
    dispose() {
      process.off('SIGINT', stop);
      io.stdout.off('close', stop);
      io.stdout.off('error', stop);
    },
  };
}
