// A page's live refresh: runs `tick` now and then every `everyMs` after the
// previous one finished (never two at once), until the page is left.

export const REFRESH_MS = 2000;

export function poll(signal: AbortSignal, tick: () => Promise<void>, everyMs = REFRESH_MS): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = async () => {
    if (signal.aborted) return;
    await tick().catch(() => {});
    if (!signal.aborted) timer = setTimeout(run, everyMs);
  };
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  void run();
}
