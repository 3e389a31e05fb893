import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, startMesh } from './support/mesh.ts';

// A plaintext client whose protocol detection cannot name (silent past the
// detect timeout, or bytes that are not HTTP or TLS) is closed before the app
// sees a byte, unless the port is marked opaque: a server-speaks-first
// protocol needs that marking, as in Linkerd.

const DETECT_TIMEOUT = { WEFT_PROXY_DETECT_TIMEOUT: '500ms' };
const FORGED = 'weft-client-id: forged\r\n';

interface App {
  readonly server: Server;
  readonly port: number;
  /** Connections the app accepted, and every byte they carried. */
  accepted: number;
  received: string;
  /** Resolves at the next accepted connection or received bytes. */
  next(): Promise<void>;
}

async function startApp(): Promise<App> {
  let wake = () => {};
  const server = createServer((socket) => {
    app.accepted++;
    wake();
    // A server-speaks-first protocol: the greeting comes before any request.
    socket.write('220 ready\r\n');
    socket.on('data', (chunk) => {
      app.received += chunk;
      wake();
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const app: App = {
    server,
    port: (server.address() as AddressInfo).port,
    accepted: 0,
    received: '',
    next: () =>
      new Promise((resolve) => {
        wake = resolve;
      }),
  };
  return app;
}

async function detectFailures(mesh: Mesh, reason: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${mesh.server.addresses?.admin.port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`inbound_detect_failures_total{reason="${reason}"} `));
  return Number(line?.split(' ')[1]);
}

const sockets: Socket[] = [];
function dial(port: number): Socket {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  sockets.push(socket);
  return socket;
}
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

/** Resolves with what happened first: the proxy closed the client, or the app got something. */
function firstOf(socket: Socket, app: App): Promise<'closed' | 'app'> {
  const closed = once(socket, 'close').then(() => 'closed' as const);
  const deadline = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('neither closed nor forwarded in 10 s')), 10_000).unref(),
  );
  return Promise.race([closed, app.next().then(() => 'app' as const), deadline]);
}

describe('a plaintext client detection cannot name, on a port not marked opaque', () => {
  let app: App;
  let mesh: Mesh;
  beforeAll(async () => {
    app = await startApp();
    mesh = await startMesh(app.port, DETECT_TIMEOUT);
  });
  afterAll(async () => {
    await mesh?.close();
    app?.server.close();
  });

  it('is closed after the detect timeout; bytes it sends later never reach the app; the metric counts it', async () => {
    const before = await detectFailures(mesh, 'timeout');
    const socket = dial(mesh.inboundPort);
    await once(socket, 'connect');
    // Silent until the proxy either gives up on it or hands it to the app.
    const first = await firstOf(socket, app);
    if (!socket.destroyed) socket.write(FORGED);
    expect(first).toBe('closed');
    expect(app.accepted).toBe(0);
    expect(app.received).toBe('');
    expect(await detectFailures(mesh, 'timeout')).toBe(before + 1);
  });

  it('is closed at once when its first bytes are neither HTTP nor TLS', async () => {
    const before = await detectFailures(mesh, 'unrecognized');
    const socket = dial(mesh.inboundPort);
    socket.write(`\u0000\u0001${FORGED}`);
    expect(await firstOf(socket, app)).toBe('closed');
    expect(app.accepted).toBe(0);
    expect(app.received).toBe('');
    expect(await detectFailures(mesh, 'unrecognized')).toBe(before + 1);
  });
});

describe('a plaintext client on a port marked opaque', () => {
  let app: App;
  let mesh: Mesh;
  beforeAll(async () => {
    app = await startApp();
    mesh = await startMesh(app.port, {
      ...DETECT_TIMEOUT,
      WEFT_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION: `1-10,${app.port}`,
    });
  });
  afterAll(async () => {
    await mesh?.close();
    app?.server.close();
  });

  it('reaches the app as opaque TCP after the detect timeout, so a server-speaks-first protocol works', async () => {
    const socket = dial(mesh.inboundPort);
    socket.setEncoding('latin1');
    let greeting = '';
    socket.on('data', (c: string) => {
      greeting += c;
    });
    expect(await firstOf(socket, app)).toBe('app');
    const received = app.next();
    socket.write(FORGED);
    await received;
    expect(app.received).toBe(FORGED);
    const deadline = Date.now() + 10_000;
    while (!greeting.includes('220 ready') && Date.now() < deadline) await once(socket, 'data');
    expect(greeting).toBe('220 ready\r\n');
    expect(await detectFailures(mesh, 'timeout')).toBe(0);
  });
});
