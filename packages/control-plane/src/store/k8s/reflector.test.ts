import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeApiServer } from '../../../test/support/fake-api-server.ts';
import type { StoreProblem } from '../store.ts';
import { KIND_PATHS } from './api-paths.ts';
import { Reflector } from './reflector.ts';

const SERVICES = KIND_PATHS.find((k) => k.kind === 'Service');

/** Lets real I/O (the HTTP round trips) run while timers stay frozen. */
async function settle(until: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !until(); i++) await new Promise<void>((r) => setImmediate(r));
}

describe('Reflector backoff', () => {
  let api: FakeApiServer;
  let reflector: Reflector | undefined;
  afterEach(async () => {
    reflector?.stop();
    vi.useRealTimers();
    await api.stop();
  });

  it('retries a failing list after 500 ms, then 1 s, 2 s … capped, and recovers', async () => {
    api = new FakeApiServer();
    await api.start();
    api.serve('/api/v1/services');
    api.failing.set('/api/v1/services', 503);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const problems: StoreProblem[] = [];
    let replaced = 0;
    reflector = new Reflector(
      api.kubeConfig(),
      SERVICES as (typeof KIND_PATHS)[number],
      {
        replace: () => replaced++,
        upsert: () => {},
        remove: () => {},
        problem: (p) => problems.push(p),
        resolved: () => {},
      },
      { retryMs: 500, maxRetryMs: 2000 },
    );
    const lists = () => api.requests.filter((r) => !r.query.has('watch')).length;
    reflector.start();
    await settle(() => problems.length === 1);
    expect(lists()).toBe(1);
    expect(problems[0]?.message).toMatch(/WEFT_CP_KUBERNETES_API: list \/api\/v1\/services: HTTP 503/);

    for (const [wait, expected] of [
      [500, 2],
      [1000, 3],
      [2000, 4],
      [2000, 5], // capped at maxRetryMs
    ] as const) {
      await vi.advanceTimersByTimeAsync(wait - 1);
      await settle(() => false);
      expect(lists()).toBe(expected - 1);
      await vi.advanceTimersByTimeAsync(1);
      await settle(() => lists() === expected && problems.length === expected);
      expect(lists()).toBe(expected);
    }

    api.failing.delete('/api/v1/services');
    await vi.advanceTimersByTimeAsync(2000);
    await settle(() => replaced === 1);
    expect(replaced).toBe(1);
  });
});
