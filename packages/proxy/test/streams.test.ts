import { once } from 'node:events';
import { createServer as createHttpServer, request } from 'node:http';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { type Mesh, startMesh } from './support/mesh.ts';

// Upgrades, opaque TCP and a 1 GiB body through the proxy pair with mTLS.

describe('WebSocket through a proxy pair', () => {
  let mesh: Mesh;
  let wss: WebSocketServer;
  beforeAll(async () => {
    const http = createHttpServer();
    wss = new WebSocketServer({ server: http });
    wss.on('connection', (ws, req) => {
      ws.send(`hello ${req.headers['weft-client-id']}`);
      ws.on('message', (m) => ws.send(`echo:${m}`));
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    mesh = await startMesh((http.address() as AddressInfo).port);
  });
  afterAll(async () => {
    await mesh.close();
    wss.close();
  });

  it('upgrades and carries messages both ways', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${mesh.upstreamPort}/chat`);
    const messages: string[] = [];
    ws.on('message', (m) => messages.push(String(m)));
    await once(ws, 'open');
    ws.send('one');
    ws.send('two');
    const deadline = Date.now() + 5000;
    while (messages.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(messages).toEqual([`hello ${mesh.clientIdentity}`, 'echo:one', 'echo:two']);
    ws.close();
  });
});

describe('opaque TCP through a proxy pair', () => {
  let mesh: Mesh;
  let echo: Server;
  beforeAll(async () => {
    echo = createServer((s) => s.pipe(s));
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    mesh = await startMesh((echo.address() as AddressInfo).port);
  });
  afterAll(async () => {
    await mesh.close();
    echo.close();
  });

  it('echoes bytes that are not HTTP, over mTLS', async () => {
    const socket = connect(mesh.upstreamPort, '127.0.0.1');
    const payload = Buffer.from('\x00\x01binary protocol\xff'.repeat(1000), 'latin1');
    const got: Buffer[] = [];
    socket.on('data', (c: Buffer) => got.push(c));
    socket.write(payload);
    const deadline = Date.now() + 5000;
    while (Buffer.concat(got).length < payload.length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(Buffer.concat(got).equals(payload)).toBe(true);
    socket.destroy();
  });
});

describe('a 1 GiB body', () => {
  let mesh: Mesh;
  let sink: ReturnType<typeof createHttpServer>;
  beforeAll(async () => {
    // Counts what it receives and answers with as many bytes, streamed.
    sink = createHttpServer((req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => {
        n += c.length;
      });
      req.on('end', () => res.end(String(n)));
    });
    sink.listen(0, '127.0.0.1');
    await once(sink, 'listening');
    mesh = await startMesh((sink.address() as AddressInfo).port);
  });
  afterAll(async () => {
    await mesh.close();
    sink.close();
  });

  it('streams through both proxies without buffering it', { timeout: 120_000 }, async () => {
    const total = 1024 ** 3;
    const chunk = Buffer.alloc(256 * 1024, 7);
    const rssBefore = process.memoryUsage.rss();
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 50);
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: mesh.upstreamPort,
        method: 'PUT',
        headers: { 'content-length': String(total) },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    clearInterval(sampler);
    expect(body).toBe(String(total));
    // Client, both proxies and the server share this process: all of them
    // together stay far below the body's size.
    expect(peak - rssBefore).toBeLessThan(200 * 1024 * 1024);
  });
});
