import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as frames from './support/h2-frames.ts';
import { type Mesh, startMesh } from './support/mesh.ts';

// A client that sends HEADERS without END_STREAM and then half-closes (FIN)
// can send nothing more on that connection. The proxy once kept such
// connections, one file descriptor each, and held the app's stream until
// the response timeout; now the connection and the stream it forwarded end
// at once.

const CONNECTIONS = 20;

/** File descriptors of this process that are connections accepted on `port` (the proxy's, here). */
function acceptedFds(port: number): number {
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  const accepted = new Set<string>();
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address, then state (0A: listening) and inode.
      if (cols.length > 9 && `${cols[1]} `.endsWith(local) && cols[3] !== '0A') accepted.add(cols[9] as string);
    }
  }
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
      if (inode && accepted.has(inode)) n++;
    } catch {
      // Closed while listing.
    }
  }
  return n;
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe('half-closed HTTP/2 connections', () => {
  let mesh: Mesh;
  let app: Http2Server;
  const appStreams = new Set<ServerHttp2Stream>();
  beforeAll(async () => {
    // An h2c app that answers only once the request body has ended.
    app = createServer();
    app.on('stream', (stream) => {
      appStreams.add(stream);
      stream.on('close', () => appStreams.delete(stream));
      stream.on('error', () => {});
      stream.resume();
      stream.on('end', () => stream.respond({ ':status': 200 }, { endStream: true }));
    });
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    mesh = await startMesh((app.address() as AddressInfo).port);
  });
  afterAll(async () => {
    await mesh.close();
    app.close();
  });

  for (const listener of ['inbound', 'per-upstream'] as const) {
    it(`releases every connection on the ${listener} listener and the app stream it opened within two seconds`, async () => {
      const port = listener === 'inbound' ? mesh.inboundPort : mesh.upstreamPort;
      expect(acceptedFds(port)).toBe(0);
      const clients: Socket[] = [];
      try {
        for (let i = 0; i < CONNECTIONS; i++) {
          const s = connect(port, '127.0.0.1');
          s.on('error', () => {});
          s.on('data', () => {});
          s.write(Buffer.concat([frames.opening(), frames.get(1, 'app.local', '/upload', false)]));
          clients.push(s);
        }
        // Every request reached the app, body still open.
        expect(await until(() => appStreams.size === CONNECTIONS, 5000)).toBe(true);
        expect(acceptedFds(port)).toBe(CONNECTIONS);
        let closed = 0;
        for (const s of clients) s.once('close', () => closed++);
        for (const s of clients) s.end();
        expect(await until(() => closed === CONNECTIONS, 2000), `${closed} of ${CONNECTIONS} closed`).toBe(true);
        expect(await until(() => appStreams.size === 0, 2000)).toBe(true);
        const released = await until(() => acceptedFds(port) === 0, 3000);
        expect(released, `${acceptedFds(port)} accepted sockets still open`).toBe(true);
      } finally {
        for (const s of clients) s.destroy();
      }
    });
  }
});
