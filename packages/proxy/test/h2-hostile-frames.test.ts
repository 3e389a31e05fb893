import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as frames from './support/h2-frames.ts';
import { type Mesh, startMesh } from './support/mesh.ts';
import { type ServerPolicy, TestPolicy } from './support/policy-server.ts';

// Single writes that once ended the whole sidecar: a stream that errors
// before (or while) the proxy handles it. Every listener must survive them,
// count them in network_errors_total, and keep serving.

const NGHTTP2_PROTOCOL_ERROR = 1;
const NGHTTP2_INTERNAL_ERROR = 2;

const post = (length: number) =>
  frames.headers(
    1,
    {
      ':method': 'POST',
      ':scheme': 'http',
      ':authority': 'app.local',
      ':path': '/upload',
      'content-length': String(length),
    },
    false,
  );

/** Each in one write, as the attacker sent them. */
const HOSTILE: Record<string, Buffer> = {
  'RST_STREAM PROTOCOL_ERROR right after HEADERS': Buffer.concat([
    frames.opening(),
    frames.get(1, 'app.local', '/', false),
    frames.rstStream(1, NGHTTP2_PROTOCOL_ERROR),
  ]),
  'RST_STREAM INTERNAL_ERROR right after HEADERS': Buffer.concat([
    frames.opening(),
    frames.get(1, 'app.local', '/', false),
    frames.rstStream(1, NGHTTP2_INTERNAL_ERROR),
  ]),
  'WINDOW_UPDATE of 0 on a new stream': Buffer.concat([
    frames.opening(),
    frames.get(1, 'app.local', '/', false),
    frames.windowUpdate(1, 0),
  ]),
  'a POST body shorter than its content-length': Buffer.concat([
    frames.opening(),
    post(10),
    frames.data(1, 'abc', true),
  ]),
};

/** Sends `bytes` in one write and resolves once the proxy closed the connection or `limitMs` passed. */
function sendRaw(port: number, bytes: Buffer, limitMs = 3000): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => socket.destroy(), limitMs);
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.resume();
    socket.write(bytes);
    // The client goes away as an attacker would; the proxy must cope either way.
    setTimeout(() => socket.end(), 200);
  });
}

async function streamErrors(adminPort: number | undefined, direction: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const m = new RegExp(`^network_errors_total\\{direction="${direction}",kind="stream"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe('hostile HTTP/2 frames in one write', () => {
  let mesh: Mesh;
  let app: Server;
  beforeAll(async () => {
    app = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('fine'));
    });
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    mesh = await startMesh((app.address() as AddressInfo).port);
  });
  afterAll(async () => {
    await mesh.close();
    app.close();
  });

  const listeners = () => ({
    inbound: { port: mesh.inboundPort, admin: mesh.server.addresses?.admin.port },
    outbound: { port: mesh.outboundPort, admin: mesh.client.addresses?.admin.port },
    'per-upstream': { port: mesh.upstreamPort, admin: mesh.client.addresses?.admin.port },
  });

  for (const [what, bytes] of Object.entries(HOSTILE)) {
    it(`survives ${what} on every listener, counts it, and keeps serving`, async () => {
      for (const [name, l] of Object.entries(listeners())) {
        const direction = name === 'inbound' ? 'inbound' : 'outbound';
        const before = await streamErrors(l.admin, direction);
        await sendRaw(l.port, bytes);
        const deadline = Date.now() + 5000;
        while ((await streamErrors(l.admin, direction)) === before && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(await streamErrors(l.admin, direction), `${what} on ${name}`).toBeGreaterThan(before);
      }
      const res = await fetch(`http://127.0.0.1:${mesh.upstreamPort}/`);
      expect(await res.text()).toBe('fine');
    });
  }

  it('survives an HTTP/1 POST whose body is shorter than its content-length', async () => {
    for (const port of [mesh.inboundPort, mesh.upstreamPort]) {
      await sendRaw(port, Buffer.from('POST /upload HTTP/1.1\r\nHost: app.local\r\ncontent-length: 10\r\n\r\nabc'));
    }
    const res = await fetch(`http://127.0.0.1:${mesh.upstreamPort}/`);
    expect(await res.text()).toBe('fine');
  });
});

describe('hostile HTTP/2 frames on streams the inbound policy refuses', () => {
  let mesh: Mesh;
  let app: Server;
  let policy: TestPolicy;
  const deny: ServerPolicy = {
    protocol: { detect: {} },
    authorizations: [],
    labels: { kind: 'default', name: 'deny' },
  };
  beforeAll(async () => {
    app = createServer((_req, res) => res.end('fine'));
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    policy = new TestPolicy();
    await policy.start();
    const appPort = (app.address() as AddressInfo).port;
    mesh = await startMesh(appPort, {}, policy.source('{"ns":"emojivoto","pod":"emoji-0"}', appPort));
    policy.set(deny);
    const deadline = Date.now() + 5000;
    while ((await fetch(`http://127.0.0.1:${mesh.inboundPort}/`)).status !== 403) {
      if (Date.now() > deadline) throw new Error('deny policy not applied');
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  afterAll(async () => {
    await mesh.close();
    policy.stop();
    app.close();
  });

  it('survives every one of them and still answers 403', async () => {
    const admin = mesh.server.addresses?.admin.port;
    for (const [what, bytes] of Object.entries(HOSTILE)) {
      const before = await streamErrors(admin, 'inbound');
      await sendRaw(mesh.inboundPort, bytes);
      const deadline = Date.now() + 5000;
      while ((await streamErrors(admin, 'inbound')) === before && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await streamErrors(admin, 'inbound'), what).toBeGreaterThan(before);
    }
    expect((await fetch(`http://127.0.0.1:${mesh.inboundPort}/`)).status).toBe(403);
  });
});
