import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, startMesh } from './support/mesh.ts';

// HTTP/1.1 through client → outbound → mTLS → inbound → server.

let backend: Server;
let backendPort = 0;
let seen: IncomingMessage[] = [];

beforeAll(async () => {
  backend = createServer((req, res) => {
    seen.push(req);
    if (req.url === '/trailers') {
      res.writeHead(200, { trailer: 'x-checksum' });
      res.write('part');
      res.addTrailers({ 'x-checksum': 'abc' });
      res.end();
      return;
    }
    if (req.url === '/fail') {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('x-method', req.method ?? '');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end(Buffer.concat(chunks));
    });
  });
  backend.on('checkContinue', (req, res) => {
    seen.push(req);
    res.writeContinue();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.end(`continued:${Buffer.concat(chunks)}`));
  });
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  backendPort = (backend.address() as AddressInfo).port;
});

afterAll(() => {
  backend.close();
});

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: string;
  trailers: NodeJS.Dict<string>;
}

function send(
  port: number,
  opts: {
    method?: string;
    path?: string;
    headers?: Record<string, string | string[]>;
    body?: string | Buffer[];
    agent?: boolean;
  },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString(),
            trailers: res.trailers,
          }),
        );
      },
    );
    req.on('error', reject);
    if (Array.isArray(opts.body)) {
      for (const b of opts.body) req.write(b);
      req.end();
    } else req.end(opts.body);
  });
}

// Between the proxies HTTP/1 travels either as itself over a keep-alive pool,
// or upgraded onto the HTTP/2 session (ADR 0002): the app must not notice.
describe.each([
  ['a keep-alive HTTP/1.1 pool', 'false'],
  ['the HTTP/2 session (orig-proto upgrade)', 'true'],
])('HTTP/1.1 through a proxy pair with mTLS, over %s', (_name, upgrade) => {
  let mesh: Mesh;
  beforeAll(async () => {
    mesh = await startMesh(backendPort, { WEFT_PROXY_OUTBOUND_H1_OVER_H2: upgrade });
  });
  afterAll(async () => {
    await mesh.close();
  });

  it('passes every method, every header and the body both ways', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND']) {
      seen = [];
      const body = method === 'GET' ? undefined : `body-${method}`;
      const headers: Record<string, string> = { 'X-Custom-Case': 'v', 'content-type': 'text/plain' };
      // node's client frames a DELETE/OPTIONS body only with an explicit length.
      if (body) headers['content-length'] = String(body.length);
      const r = await send(mesh.upstreamPort, { method, headers, body });
      expect([method, r.status]).toEqual([method, 200]);
      expect(r.headers['x-method']).toBe(method);
      expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      if (method !== 'GET') expect(r.body).toBe(`body-${method}`);
      // Names arrive lower-cased: HTTP/2 carries them between the proxies (ADR 0002).
      expect(seen[0]?.headers['x-custom-case']).toBe('v');
    }
  });

  it('tells the app who called in weft-client-id, and a caller cannot forge it', async () => {
    seen = [];
    await send(mesh.upstreamPort, { headers: { 'weft-client-id': 'forged.identity' } });
    expect(seen[0]?.headers['weft-client-id']).toBe(mesh.clientIdentity);
  });

  it('routes by Host on the transparent outbound listener', async () => {
    seen = [];
    const r = await send(mesh.outboundPort, {
      method: 'POST',
      headers: { host: 'emoji-svc.emojivoto.svc.cluster.local:8080' },
      body: 'hi',
    });
    expect(r.body).toBe('hi');
    expect(seen[0]?.headers.host).toBe('emoji-svc.emojivoto.svc.cluster.local:8080');
  });

  it('streams a chunked request body and keeps the connection alive', async () => {
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ports = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const r = await new Promise<Reply>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: mesh.upstreamPort,
            method: 'POST',
            agent,
            headers: { 'transfer-encoding': 'chunked' },
          },
          (res) => {
            ports.add(res.socket.localPort ?? 0);
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                rawHeaders: [],
                body: Buffer.concat(chunks).toString(),
                trailers: {},
              }),
            );
          },
        );
        req.on('error', reject);
        req.write('a'.repeat(10));
        setTimeout(() => req.end('b'.repeat(10)), 10);
      });
      expect(r.body).toBe(`${'a'.repeat(10)}${'b'.repeat(10)}`);
    }
    expect(ports.size).toBe(1);
    agent.destroy();
  });

  it('carries response trailers', async () => {
    const r = await send(mesh.upstreamPort, { path: '/trailers' });
    expect(r.body).toBe('part');
    expect(r.trailers['x-checksum']).toBe('abc');
  });

  it('relays 100-continue from the server before the body is sent', async () => {
    const r = await new Promise<Reply & { continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = request(
        {
          host: '127.0.0.1',
          port: mesh.upstreamPort,
          method: 'POST',
          headers: { expect: '100-continue', 'content-length': '4' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              rawHeaders: [],
              body: Buffer.concat(chunks).toString(),
              trailers: {},
              continued,
            }),
          );
        },
      );
      req.on('continue', () => {
        continued = true;
        req.end('data');
      });
      req.on('error', reject);
    });
    expect(r.continued).toBe(true);
    expect(r.body).toBe('continued:data');
  });

  it('answers 502 without weft-proxy-error when the app drops the connection', async () => {
    const r = await send(mesh.upstreamPort, { path: '/fail' });
    expect(r.status).toBe(502);
    expect(r.headers['weft-proxy-error']).toBeUndefined();
  });

  it('answers a client that half-closes after its request', async () => {
    const socket = connect(mesh.upstreamPort, '127.0.0.1');
    let reply = '';
    socket.on('data', (c: Buffer) => {
      reply += c;
    });
    socket.end('POST / HTTP/1.1\r\nHost: emoji\r\nContent-Length: 4\r\n\r\nping');
    await once(socket, 'close');
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    expect(reply.endsWith('ping')).toBe(true);
  });
});
