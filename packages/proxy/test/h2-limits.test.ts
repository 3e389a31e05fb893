import { once } from 'node:events';
import { createServer, type Http2Server } from 'node:http2';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as frames from './support/h2-frames.ts';
import { type Mesh, startMesh } from './support/mesh.ts';

// Limits on what one client may take of a listener: connections per
// listener, and streams per second per HTTP/2 connection (rapid reset).

const NGHTTP2_CANCEL = 8;
const NGHTTP2_ENHANCE_YOUR_CALM = 11;
const BURST = 50;

let mesh: Mesh;
let app: Http2Server;
let appStreams = 0;

beforeAll(async () => {
  // An h2c app, as the inbound forwards HTTP/2 to the app as HTTP/2.
  app = createServer();
  app.on('stream', (stream) => {
    appStreams++;
    stream.on('error', () => {});
    stream.respond({ ':status': 200 });
    stream.end('fine');
  });
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  mesh = await startMesh((app.address() as AddressInfo).port, {
    WEFT_PROXY_MAX_CONNECTIONS_PER_LISTENER: '5',
    WEFT_PROXY_H2_STREAMS_PER_SECOND: '10',
    WEFT_PROXY_H2_STREAM_BURST: String(BURST),
  });
});

afterAll(async () => {
  await mesh.close();
  app.close();
});

async function limitCount(limit: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${mesh.server.addresses?.admin.port}/metrics`)).text();
  const m = new RegExp(`^limit_exceeded_total\\{direction="inbound",limit="${limit}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** The error code of the first GOAWAY frame in what the proxy sent, if any. */
function goawayCode(received: Buffer): number | undefined {
  let at = 0;
  while (at + 9 <= received.length) {
    const length = received.readUIntBE(at, 3);
    if (received[at + 3] === frames.FrameType.GOAWAY && at + 9 + 8 <= received.length) {
      return received.readUInt32BE(at + 9 + 4);
    }
    at += 9 + length;
  }
  return undefined;
}

/** Opens a raw HTTP/2 connection to the inbound listener; resolves on close with every byte it received. */
function rawH2(): { socket: Socket; closed: Promise<Buffer> } {
  const socket = connect(mesh.inboundPort, '127.0.0.1');
  const got: Buffer[] = [];
  socket.on('data', (c: Buffer) => got.push(c));
  socket.on('error', () => {});
  const timer = setTimeout(() => socket.destroy(), 10_000);
  const closed = new Promise<Buffer>((resolve) =>
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(got));
    }),
  );
  return { socket, closed };
}

describe('rapid reset', () => {
  it('never forwards streams reset in the same write as their HEADERS', async () => {
    const before = appStreams;
    const { socket, closed } = rawH2();
    const burst: Buffer[] = [frames.opening()];
    for (let id = 1; id < 1000; id += 2) {
      burst.push(frames.get(id, 'app.local', '/', false), frames.rstStream(id, NGHTTP2_CANCEL));
    }
    socket.write(Buffer.concat(burst));
    // A last ordinary request on the same connection shows the earlier ones were all read.
    socket.write(frames.get(1001, 'app.local'));
    const deadline = Date.now() + 5000;
    while (appStreams === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    socket.end();
    await closed;
    // A HEADERS frame whose RST_STREAM fell into the next read may pass, no more.
    expect(appStreams - before).toBeGreaterThanOrEqual(1);
    expect(appStreams - before).toBeLessThanOrEqual(3);
  });

  it('sends GOAWAY ENHANCE_YOUR_CALM to a connection that opens streams faster than its budget', async () => {
    const before = appStreams;
    const refusedBefore = await limitCount('stream_rate');
    const { socket, closed } = rawH2();
    socket.write(frames.opening());
    // HEADERS and RST_STREAM in separate writes, so each stream is seen open.
    for (let id = 1; id < 1000 && socket.writable; id += 2) {
      socket.write(frames.get(id, 'app.local', '/', false));
      await new Promise((r) => setImmediate(r));
      socket.write(frames.rstStream(id, NGHTTP2_CANCEL));
    }
    const received = await closed;
    expect(goawayCode(received)).toBe(NGHTTP2_ENHANCE_YOUR_CALM);
    expect(appStreams - before).toBeLessThanOrEqual(BURST + 5);
    expect(await limitCount('stream_rate')).toBe(refusedBefore + 1);
  });
});

describe('connections per listener', () => {
  it('refuses connections past the limit while the open ones keep working', async () => {
    const refusedBefore = await limitCount('connections');
    const open: Socket[] = [];
    const nextId = new Map<Socket, number>();
    /** One GET on the connection, answered with 'fine'. */
    const ask = (s: Socket): Promise<void> =>
      new Promise((resolve) => {
        const id = nextId.get(s) ?? 1;
        nextId.set(s, id + 2);
        const onData = (c: Buffer) => {
          if (!c.includes('fine')) return;
          s.off('data', onData);
          resolve();
        };
        s.on('data', onData);
        s.write(frames.get(id, 'app.local'));
      });
    try {
      for (let i = 0; i < 5; i++) {
        const s = connect(mesh.inboundPort, '127.0.0.1');
        s.on('error', () => {});
        open.push(s);
        s.write(frames.opening());
      }
      for (const s of open) await ask(s);
      const extra = rawH2();
      extra.socket.write(frames.opening());
      const refused = await extra.closed;
      expect(refused.length).toBe(0);
      for (const s of open) await ask(s);
      expect(await limitCount('connections')).toBeGreaterThan(refusedBefore);
    } finally {
      for (const s of open) s.destroy();
    }
  });
});
