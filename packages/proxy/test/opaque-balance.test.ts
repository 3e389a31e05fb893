import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/app/proxy.ts';
import { TestDestination } from './support/destination-server.ts';
import { startSidecar } from './support/mesh.ts';

// Opaque TCP to a service through a real sidecar takes the paths HTTP takes:
// the profile's traffic split picks the backend service, and failure accrual
// stops sending connections to an endpoint whose connections cannot be established.

const APEX = 'db.emojivoto.svc.cluster.local:5432';
const V1 = 'db-v1.emojivoto.svc.cluster.local:5432';
const V2 = 'db-v2.emojivoto.svc.cluster.local:5432';
// A leading NUL is no HTTP method: detection calls it opaque at once.
const PING = '\u0000ping\n';

/** A TCP server that answers every connection's first bytes with its name. */
async function named(name: string): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end(name));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** A port nothing listens on: it was just given back. */
async function refusingPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** One opaque exchange through the proxy: the backend's name, or '' when the connection closed without one. */
function exchange(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(PING));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      reply += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(reply));
  });
}

const portOf = (s: Server) => (s.address() as AddressInfo).port;

describe('opaque TCP to a service', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function proxyFor(
    destination: TestDestination,
    env: Record<string, string> = {},
  ): Promise<{ port: number; sidecar: Sidecar }> {
    const started = await startSidecar(destination, { WEFT_PROXY_OUTBOUND_UPSTREAMS: `${APEX}=127.0.0.1:0`, ...env });
    cleanup.push(() => started.close());
    return { port: (started.addresses.upstreams.get(APEX) as AddressInfo).port, sidecar: started.sidecar };
  }

  async function destination(): Promise<TestDestination> {
    const d = new TestDestination();
    await d.start();
    cleanup.push(() => d.stop());
    return d;
  }

  async function server(name: string): Promise<Server> {
    const s = await named(name);
    cleanup.push(() => s.close());
    return s;
  }

  it("is split over the profile's backend services by weight", async () => {
    const d = await destination();
    const [v1, v2] = [await server('v1'), await server('v2')];
    d.set(APEX, [{ ip: '127.0.0.1', port: portOf(v1) }]);
    d.set(V1, [{ ip: '127.0.0.1', port: portOf(v1) }]);
    d.set(V2, [{ ip: '127.0.0.1', port: portOf(v2) }]);
    d.setProfile(APEX, {
      dstOverrides: [
        { authority: V1, weight: 1 },
        { authority: V2, weight: 3 },
      ],
    });
    const { port } = await proxyFor(d);
    // The profile arrives after the proxy starts: wait until it is in force.
    const deadline = Date.now() + 10_000;
    while ((await exchange(port)) !== 'v2') expect(Date.now()).toBeLessThan(deadline);
    const replies: string[] = [];
    for (let i = 0; i < 200; i++) replies.push(await exchange(port));
    const v2Share = replies.filter((r) => r === 'v2').length / replies.length;
    expect(replies.every((r) => r === 'v1' || r === 'v2')).toBe(true);
    expect(v2Share).toBeGreaterThan(0.6);
    expect(v2Share).toBeLessThan(0.9);
  });

  it('stops connecting to an endpoint whose connections are refused, once failure accrual counts enough of them', async () => {
    const d = await destination();
    const dead = await refusingPort();
    d.set(APEX, [{ ip: '127.0.0.1', port: dead }]);
    const { port, sidecar } = await proxyFor(d, {
      WEFT_PROXY_FAILURE_ACCRUAL_CONSECUTIVE: '3',
      // Ejected for the rest of the test; connections wait this long for another endpoint.
      WEFT_PROXY_FAILURE_ACCRUAL_MIN_BACKOFF: '60s',
      WEFT_PROXY_FAILFAST_TIMEOUT: '100ms',
    });
    for (let i = 0; i < 6; i++) expect(await exchange(port)).toBe('');
    const text = [...sidecar.metrics.render()].join('');
    const attempts = text
      .split('\n')
      .find((l) => l.startsWith('tcp_open_total{') && l.includes('peer="dst"') && l.includes(`127.0.0.1:${dead}`));
    expect(attempts?.split(' ').pop()).toBe('3');
  });
});
