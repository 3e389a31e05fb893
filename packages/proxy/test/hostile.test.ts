import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, startMesh } from './support/mesh.ts';

// Hostile input on every listener of a proxy pair. Each connection must end
// with an error answer or a close, within bounded time, and the proxies must
// keep serving with bounded memory.

let mesh: Mesh;
let app: Server;

beforeAll(async () => {
  app = createServer((_req, res) => res.end('fine'));
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  mesh = await startMesh((app.address() as AddressInfo).port, {
    WEFT_PROXY_DETECT_TIMEOUT: '500ms',
    WEFT_PROXY_HEADERS_TIMEOUT: '1s',
    WEFT_PROXY_IDLE_TIMEOUT: '1s',
  });
});

afterAll(async () => {
  await mesh.close();
  app.close();
});

/** Writes `payload`, then waits for the peer to close; resolves with what came back. */
function exchange(port: number, payload: Buffer | string, limitMs = 5000): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ reply, closed: false });
    }, limitMs);
    socket.on('data', (c: Buffer) => {
      reply += c.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ reply, closed: true });
    });
    socket.write(payload);
  });
}

async function stillServes(): Promise<void> {
  const r = await fetch(`http://127.0.0.1:${mesh.upstreamPort}/`);
  expect(await r.text()).toBe('fine');
}

describe('hostile input', () => {
  it('closes connections of random bytes on every listener, and keeps serving with bounded memory', async () => {
    const ports = [mesh.outboundPort, mesh.upstreamPort, mesh.inboundPort];
    const rssBefore = process.memoryUsage.rss();
    // A fixed number of connections, however long a busy machine takes over them.
    let sent = 0;
    while (sent < 240) {
      const batch = Array.from({ length: 12 }, (_, i) => {
        const port = ports[(sent + i) % ports.length] as number;
        const junk = randomBytes(3 + Math.floor(Math.random() * 4096));
        // Some junk pretends to be TLS or HTTP/2, to get past detection.
        if (i % 4 === 1) junk.set([0x16, 0x03, 0x01], 0);
        if (i % 4 === 2) return exchange(port, Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), junk]));
        if (i % 4 === 3) return exchange(port, Buffer.concat([Buffer.from('GET / HTTP/1.1\r\n'), junk]));
        return exchange(port, junk);
      });
      const results = await Promise.all(batch);
      for (const r of results) expect(r.closed).toBe(true);
      sent += batch.length;
    }
    await stillServes();
    expect(process.memoryUsage.rss() - rssBefore).toBeLessThan(150 * 1024 * 1024);
  });

  it('answers 431 to a megabyte of headers and closes', async () => {
    const huge = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(1024 * 1024)}\r\n\r\n`;
    for (const port of [mesh.upstreamPort, mesh.inboundPort]) {
      const r = await exchange(port, huge);
      expect(r.reply).toMatch(/^HTTP\/1\.1 431/);
      expect(r.closed).toBe(true);
    }
    await stillServes();
  });

  it('closes an HTTP/2 client that stalls halfway through a frame', async () => {
    // The preface, empty SETTINGS, then a HEADERS frame announcing 1000 bytes that never come.
    const stalled = Buffer.concat([
      Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
      Buffer.from([0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]),
      Buffer.from([0x00, 0x03, 0xe8, 0x01, 0x04, 0x00, 0x00, 0x00, 0x01]),
    ]);
    for (const port of [mesh.outboundPort, mesh.inboundPort]) {
      const started = Date.now();
      const r = await exchange(port, stalled, 6000);
      expect(r.closed).toBe(true);
      expect(Date.now() - started).toBeLessThan(4000);
    }
    await stillServes();
  });

  it('cuts a slowloris client off after the headers timeout', async () => {
    const started = Date.now();
    const result = await new Promise<{ reply: string; ms: number }>((resolve) => {
      const socket = connect(mesh.upstreamPort, '127.0.0.1');
      let reply = '';
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
      const drip = setInterval(() => socket.write('X-Slow: a\r\n'), 200);
      socket.on('data', (c: Buffer) => {
        reply += c;
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(drip);
        resolve({ reply, ms: Date.now() - started });
      });
      setTimeout(() => socket.destroy(), 8000);
    });
    expect(result.reply).toMatch(/^HTTP\/1\.1 408/);
    expect(result.ms).toBeLessThan(4000);
    await stillServes();
  });

  it('fails a TLS hello with the wrong server name, and one without a mesh certificate', async () => {
    for (const servername of ['evil.example', mesh.serverIdentity]) {
      const outcome = await new Promise<string>((resolve) => {
        const s = tlsConnect({ port: mesh.inboundPort, host: '127.0.0.1', servername, rejectUnauthorized: false });
        s.on('secureConnect', () => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
        s.on('data', () => resolve('answered'));
        s.on('error', () => resolve('error'));
        s.on('close', () => resolve('closed'));
      });
      expect(outcome).not.toBe('answered');
    }
    await stillServes();
  });
});
