// Time as the client and service see it. Injected so that rotation and
// back-off can be driven by a manual clock in tests while real sockets and
// gRPC keep using the real event loop.

export type TimerHandle = unknown;

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    // Never keeps the process alive on its own: the proxy's sockets do that.
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
