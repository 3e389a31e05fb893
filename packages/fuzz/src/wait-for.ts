/** Retries `check` until it resolves, or rethrows its last error once `timeoutMs` passed. */
export async function waitFor(check: () => Promise<void>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Rejects unless `url` answers 200. */
export async function expectOk(url: string): Promise<void> {
  const response = await fetch(url);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status} ${text.slice(0, 200)}`);
}
