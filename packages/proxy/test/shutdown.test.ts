import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ProxyProcess, startProxyProcess } from './support/proxy-process.ts';

// The real process (src/main.ts): it starts from WEFT_PROXY_* variables, and
// on SIGTERM (or POST /shutdown) stops accepting, finishes what is in
// flight, and exits.

let app: Server;
let appPort: number;
let slowArrived = () => {};

beforeAll(async () => {
  app = createServer((req, res) => {
    if (req.url === '/slow') slowArrived();
    setTimeout(() => res.end('done'), req.url === '/slow' ? 1500 : 0);
  });
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  appPort = (app.address() as AddressInfo).port;
});

afterAll(() => {
  app.close();
});

const running: ProxyProcess[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((proxy) => proxy.kill()));
});

async function startProxy(
  extraEnv: Record<string, string> = {},
): Promise<{ child: ChildProcess; upstream: number; admin: number }> {
  const authority = `127.0.0.1:${appPort}`;
  const proxy = await startProxyProcess({
    WEFT_PROXY_OUTBOUND_UPSTREAMS: `${authority}=127.0.0.1:0`,
    WEFT_PROXY_SHUTDOWN_GRACE_PERIOD: '5s',
    ...extraEnv,
  });
  running.push(proxy);
  return { child: proxy.child, upstream: proxy.listening.upstreams[authority] as number, admin: proxy.listening.admin };
}

describe('the proxy process', () => {
  it('finishes in-flight requests on SIGTERM, refuses new ones, and exits 0', async () => {
    const { child, upstream } = await startProxy();
    expect(await (await fetch(`http://127.0.0.1:${upstream}/`)).text()).toBe('done');
    const arrived = new Promise<void>((resolve) => {
      slowArrived = resolve;
    });
    const inflight = fetch(`http://127.0.0.1:${upstream}/slow`).then((r) => r.text());
    // In flight: through the proxy and at the app.
    await arrived;
    child.kill('SIGTERM');
    // New connections are refused soon after the signal, while the slow request is still running.
    const deadline = Date.now() + 5000;
    let refused = false;
    while (!refused && Date.now() < deadline) {
      refused = await new Promise<boolean>((resolve) => {
        const s = connect(upstream, '127.0.0.1');
        s.on('connect', () => {
          s.destroy();
          resolve(false);
        });
        s.on('error', () => resolve(true));
      });
      if (!refused) await new Promise((r) => setTimeout(r, 20));
    }
    expect(refused).toBe(true);
    expect(await inflight).toBe('done');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('keeps POST /shutdown off unless configured: 404, and the proxy stays up', async () => {
    const { child, admin } = await startProxy();
    expect((await fetch(`http://127.0.0.1:${admin}/shutdown`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${admin}/live`)).status).toBe(200);
    expect(child.exitCode).toBeNull();
  });

  it('shuts down on POST /shutdown from loopback when enabled', async () => {
    const { child, admin } = await startProxy({ WEFT_PROXY_SHUTDOWN_ENDPOINT_ENABLED: 'true' });
    const exited = once(child, 'exit');
    expect((await fetch(`http://127.0.0.1:${admin}/shutdown`, { method: 'POST' })).status).toBe(202);
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
