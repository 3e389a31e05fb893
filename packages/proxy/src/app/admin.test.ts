import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type AdminHooks, createAdminServer } from './admin.ts';

// /metrics is written as it renders. A render that throws fails that one
// scrape (500 when nothing was sent yet, a cut-short response after) and the
// admin server goes on serving.

let server: Server | undefined;

afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

async function start(metrics: AdminHooks['metrics']): Promise<string> {
  server = createAdminServer({ metrics, ready: () => true, shutdown: () => {}, shutdownEnabled: false });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('admin /metrics', () => {
  it('answers 500 with its error code when the render throws, and serves the next scrape', async () => {
    let fail = true;
    const admin = await start(function* () {
      if (fail) throw new RangeError('Invalid string length');
      yield 'up 1\n';
    });
    const failed = await fetch(`${admin}/metrics`);
    expect(failed.status).toBe(500);
    expect(failed.headers.get('weft-proxy-error')).toBe('WEFT_PROXY_METRICS_RENDER');
    expect(await failed.text()).toMatch(/Invalid string length/);
    fail = false;
    const next = await fetch(`${admin}/metrics`);
    expect([next.status, await next.text()]).toEqual([200, 'up 1\n']);
    expect((await fetch(`${admin}/live`)).status).toBe(200);
  });

  it('cuts the response short when the render throws after the first chunk, and serves the next scrape', async () => {
    let fail = true;
    const admin = await start(function* () {
      yield '# TYPE up gauge\n';
      if (fail) throw new Error('series vanished');
      yield 'up 1\n';
    });
    // The 200 may or may not have left; either way no scraper takes the partial text as complete.
    const outcome = await fetch(`${admin}/metrics`)
      .then((res) => res.text())
      .then(
        () => 'complete',
        () => 'failed',
      );
    expect(outcome).toBe('failed');
    fail = false;
    const next = await fetch(`${admin}/metrics`);
    expect([next.status, await next.text()]).toEqual([200, '# TYPE up gauge\nup 1\n']);
  });

  it('streams a large exposition in chunks, in order', async () => {
    const chunk = (i: number) => `# ${String(i).padStart(8, '0')} ${'x'.repeat(64 * 1024)}\n`;
    const admin = await start(function* () {
      for (let i = 0; i < 64; i++) yield chunk(i);
    });
    const text = await (await fetch(`${admin}/metrics`)).text();
    expect(text).toBe(Array.from({ length: 64 }, (_, i) => chunk(i)).join(''));
  });
});
