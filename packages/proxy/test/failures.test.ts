import { once } from 'node:events';
import { createServer, request } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { type CertificateSource, createMeshCa, type WorkloadCertificate } from '@weft/identity';
import { afterEach, describe, expect, it } from 'vitest';
import { TestDestination } from './support/destination-server.ts';
import { startSidecar, workload } from './support/mesh.ts';
import { TcpFront } from './support/tcp-front.ts';

// What the app sees when the proxy cannot deliver: a bounded wait and a
// status naming the cause in weft-proxy-error. Nothing waits unbounded.

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function sidecar(
  services: Record<string, { ip: string; port: number; identity?: string }[]>,
  env: Record<string, string> = {},
  identity?: CertificateSource,
) {
  const destination = new TestDestination();
  for (const [k, v] of Object.entries(services)) destination.set(k, v);
  await destination.start();
  cleanup.push(() => destination.stop());
  const proxy = await startSidecar(destination, env, identity);
  cleanup.push(proxy.close);
  return { destination, port: proxy.addresses.outbound.port };
}

function get(port: number, host: string) {
  return new Promise<{ status: number; error: string | undefined; ms: number; body: string }>((resolve, reject) => {
    const started = Date.now();
    const req = request({ host: '127.0.0.1', port, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          error: res.headers['weft-proxy-error'] as string | undefined,
          ms: Date.now() - started,
          body,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('failure answers', () => {
  it('503 when a service has no endpoints within the fail-fast time', async () => {
    const { port } = await sidecar({ 'empty.ns.svc.cluster.local:80': [] }, { WEFT_PROXY_FAILFAST_TIMEOUT: '300ms' });
    const r = await get(port, 'empty.ns.svc.cluster.local');
    expect(r.status).toBe(503);
    expect(r.error).toBe('WEFT_PROXY_NO_ENDPOINTS');
    expect(r.ms).toBeGreaterThanOrEqual(250);
    expect(r.ms).toBeLessThan(2000);
  });

  it('serves a queued request as soon as an endpoint appears', async () => {
    const app = createServer((_q, s) => s.end('late but fine'));
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    cleanup.push(() => app.close());
    const { destination, port } = await sidecar({ 'later.ns.svc.cluster.local:80': [] });
    const pending = get(port, 'later.ns.svc.cluster.local');
    // The request has reached the proxy once it asks for the service, and waits there.
    const deadline = Date.now() + 10_000;
    while (destination.watching === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(destination.watching).toBe(1);
    destination.add('later.ns.svc.cluster.local:80', { ip: '127.0.0.1', port: (app.address() as AddressInfo).port });
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.body).toBe('late but fine');
  });

  it('502 when the endpoint refuses the connection', async () => {
    const probe = createTcpServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const closedPort = (probe.address() as AddressInfo).port;
    probe.close();
    const { port } = await sidecar({ 'gone.ns.svc.cluster.local:80': [{ ip: '127.0.0.1', port: closedPort }] });
    const r = await get(port, 'gone.ns.svc.cluster.local');
    expect(r.status).toBe(502);
    expect(r.error).toBe('WEFT_PROXY_CONNECT_REFUSED');
  });

  it('502 when a meshed endpoint refuses the connection', async () => {
    const probe = createTcpServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const closedPort = (probe.address() as AddressInfo).port;
    probe.close();
    const ca = createMeshCa();
    const peer = 'gone.ns.serviceaccount.identity.weft-system.cluster.local';
    const { port } = await sidecar(
      { 'gone.ns.svc.cluster.local:80': [{ ip: '127.0.0.1', port: closedPort, identity: peer }] },
      {},
      workload(ca, 'web'),
    );
    const r = await get(port, 'gone.ns.svc.cluster.local');
    expect(r.status).toBe(502);
    expect(r.error).toBe('WEFT_PROXY_CONNECT_REFUSED');
  });

  it('502 WEFT_PROXY_PEER_IDENTITY when a meshed endpoint proves another identity than discovery named', async () => {
    const ca = createMeshCa();
    const impostor = workload(ca, 'impostor').current as WorkloadCertificate;
    const server = createTlsServer({
      key: impostor.keyPem,
      cert: impostor.certChainPem,
      ca: impostor.trustAnchorsPem,
      minVersion: 'TLSv1.3',
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanup.push(() => server.close());
    const expected = 'emoji.emojivoto.serviceaccount.identity.weft-system.cluster.local';
    const endpoint = { ip: '127.0.0.1', port: (server.address() as AddressInfo).port, identity: expected };
    const { port } = await sidecar({ 'emoji.ns.svc.cluster.local:80': [endpoint] }, {}, workload(ca, 'web'));
    const r = await get(port, 'emoji.ns.svc.cluster.local');
    expect(r.status).toBe(502);
    expect(r.error).toBe('WEFT_PROXY_PEER_IDENTITY');
  });

  it('504 when the response does not come within the response timeout', async () => {
    const silent = createServer(() => {});
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    cleanup.push(() => {
      silent.closeAllConnections();
      silent.close();
    });
    const { port } = await sidecar(
      { 'slow.ns.svc.cluster.local:80': [{ ip: '127.0.0.1', port: (silent.address() as AddressInfo).port }] },
      { WEFT_PROXY_RESPONSE_TIMEOUT: '300ms' },
    );
    const r = await get(port, 'slow.ns.svc.cluster.local');
    expect(r.status).toBe(504);
    expect(r.error).toBe('WEFT_PROXY_RESPONSE_TIMEOUT');
    expect(r.ms).toBeLessThan(2000);
  });

  it('keeps the last endpoints while the control plane is away, and follows it when it returns', async () => {
    const one = createServer((_q, s) => s.end('one'));
    const two = createServer((_q, s) => s.end('two'));
    for (const s of [one, two]) {
      s.listen(0, '127.0.0.1');
      await once(s, 'listening');
      cleanup.push(() => s.close());
    }
    const svc = 'steady.ns.svc.cluster.local:80';
    const destination = new TestDestination();
    destination.set(svc, [{ ip: '127.0.0.1', port: (one.address() as AddressInfo).port }]);
    await destination.start();
    cleanup.push(() => destination.stop());
    // The proxy's control-plane address stays the front's while control planes come and go behind it.
    const front = await new TcpFront(`127.0.0.1:${destination.port}`).start();
    cleanup.push(() => front.close());
    const proxy = await startSidecar(front, {});
    cleanup.push(proxy.close);
    const port = proxy.addresses.outbound.port;
    expect((await get(port, 'steady.ns.svc.cluster.local')).body).toBe('one');
    front.backend = undefined;
    destination.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect((await get(port, 'steady.ns.svc.cluster.local')).body).toBe('one');
    // Back, with the service moved to another endpoint.
    const again = new TestDestination();
    again.set(svc, [{ ip: '127.0.0.1', port: (two.address() as AddressInfo).port }]);
    await again.start();
    cleanup.push(() => again.stop());
    front.backend = `127.0.0.1:${again.port}`;
    const deadline = Date.now() + 10_000;
    let body = '';
    while (Date.now() < deadline) {
      body = (await get(port, 'steady.ns.svc.cluster.local')).body;
      if (body === 'two') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toBe('two');
  });

  it('forgets services named by requests once idle, so arbitrary authorities cannot pile up', async () => {
    const app = createServer((_q, s) => s.end('back'));
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    cleanup.push(() => app.close());
    const services: Record<string, { ip: string; port: number }[]> = {};
    for (let i = 0; i < 30; i++) services[`svc-${i}.ns.svc.cluster.local:80`] = [];
    const { destination, port } = await sidecar(services, {
      WEFT_PROXY_FAILFAST_TIMEOUT: '100ms',
      // Long enough that no service goes idle before the last of the 30 answers is back.
      WEFT_PROXY_OUTBOUND_DISCOVERY_IDLE_TIMEOUT: '1s',
    });
    const answers = await Promise.all(Object.keys(services).map((a) => get(port, a.replace(':80', ''))));
    expect(answers.every((r) => r.status === 503)).toBe(true);
    expect(destination.watching).toBeGreaterThan(20);
    const until = async (ok: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      return ok();
    };
    expect(await until(() => destination.watching === 0)).toBe(true);
    // Asked again, a service is resolved afresh.
    destination.set('svc-0.ns.svc.cluster.local:80', [{ ip: '127.0.0.1', port: (app.address() as AddressInfo).port }]);
    expect((await get(port, 'svc-0.ns.svc.cluster.local')).body).toBe('back');
  });

  it('sends a body-less request again when the pooled connection it reused was closed under it', async () => {
    // Answers the first request of each connection, and resets a connection
    // on its second: what a server closing an idle keep-alive connection looks like.
    let connections = 0;
    const flaky = createTcpServer((socket) => {
      connections++;
      let requests = 0;
      socket.on('data', (chunk: Buffer) => {
        if (!chunk.includes('\r\n\r\n')) return;
        requests++;
        if (requests === 1) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nkeep-alive: timeout=60\r\n\r\nok');
        else socket.resetAndDestroy();
      });
      socket.on('error', () => {});
    });
    flaky.listen(0, '127.0.0.1');
    await once(flaky, 'listening');
    cleanup.push(() => flaky.close());
    const { port } = await sidecar({
      'flaky.ns.svc.cluster.local:80': [{ ip: '127.0.0.1', port: (flaky.address() as AddressInfo).port }],
    });
    const first = await get(port, 'flaky.ns.svc.cluster.local');
    const second = await get(port, 'flaky.ns.svc.cluster.local');
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body).toBe('ok');
    expect(connections).toBe(2);
  });
});
