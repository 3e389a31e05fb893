import { EmojivotoError } from './errors.ts';

/**
 * Runs a service's main: prints a configuration error as one clear line and
 * exits 1, and on SIGINT/SIGTERM runs `stop` (close servers, flush spans)
 * before exiting 0.
 */
export async function runService(name: string, start: () => Promise<() => Promise<void>>): Promise<void> {
  let stop: () => Promise<void>;
  try {
    stop = await start();
  } catch (error) {
    const text = error instanceof EmojivotoError ? `${error.code}: ${error.message}` : String(error);
    console.error(`${name}: ${text}`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${name}: ${signal} received, shutting down`);
    const deadline = setTimeout(() => process.exit(0), 5000);
    deadline.unref();
    stop().then(
      () => process.exit(0),
      (error) => {
        console.error(`${name}: error while shutting down: ${error}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
