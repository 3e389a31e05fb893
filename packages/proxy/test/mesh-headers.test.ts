import { once } from 'node:events';
import { createServer as createH1Server, request, type Server } from 'node:http';
import {
  createServer as createH2Server,
  type Http2Server,
  connect as h2Connect,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { type AddressInfo, connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, SERVICE, startMesh } from './support/mesh.ts';

// Only a proxy sets weft-* headers. A client that is not mTLS-authenticated
// gets none of its own to the app, in any case or spelling, as header or
// trailer, on every inbound path; an app's own never leave its proxy, so the
// far proxy can trust those that arrive over mTLS.

/** As a plaintext client or an app might forge them; many frameworks read `_` as `-`. */
const FORGED = ['Weft-Client-Id', 'forged', 'weft_client_id', 'forged', 'WEFT-DST-CANONICAL', 'x', 'x-keep', 'kept'];
const FORGED_TRAILERS: [string, string][] = [
  ['weft-client-id', 'forged'],
  ['Weft_Dst_Canonical', 'x'],
  ['x-checksum', 'abc'],
];
const FORGED_H2: OutgoingHttpHeaders = {
  'weft-client-id': 'forged',
  weft_client_id: 'forged',
  'weft-dst-canonical': 'x',
  'x-keep': 'kept',
};

interface Seen {
  readonly headers: string[];
  readonly trailers: string[];
}

/** The mesh headers among raw (name, value, ...) pairs, named as a framework reading `_` as `-` would. */
function meshHeaders(raw: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase().replaceAll('_', '-');
    if (name.startsWith('weft-')) out.push([name, raw[i + 1] as string]);
  }
  return out.sort();
}

function h2Raw(headers: IncomingHttpHeaders): string[] {
  const raw: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) raw.push(name, String(v));
  }
  return raw;
}

let h1App: Server;
let h2App: Http2Server;
let seen: Seen[] = [];
let meshes: Mesh[] = [];
let h1Mesh: Mesh;
let h1OverH2Mesh: Mesh;
let h2Mesh: Mesh;

beforeAll(async () => {
  h1App = createH1Server((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ headers: req.rawHeaders, trailers: req.rawTrailers });
      res.end('ok');
    });
  });
  h1App.on('upgrade', (req, socket) => {
    seen.push({ headers: req.rawHeaders, trailers: [] });
    socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n');
  });
  h1App.listen(0, '127.0.0.1');
  h2App = createH2Server();
  h2App.on('stream', (stream, headers) => {
    let trailers: string[] = [];
    stream.on('trailers', (t: IncomingHttpHeaders) => {
      trailers = h2Raw(t);
    });
    stream.resume();
    stream.on('end', () => {
      seen.push({ headers: h2Raw(headers), trailers });
      stream.respond({ ':status': 200 }, { endStream: true });
    });
  });
  h2App.listen(0, '127.0.0.1');
  await Promise.all([once(h1App, 'listening'), once(h2App, 'listening')]);
  const h1Port = (h1App.address() as AddressInfo).port;
  h1Mesh = await startMesh(h1Port);
  meshes.push(h1Mesh);
  h1OverH2Mesh = await startMesh(h1Port, { WEFT_PROXY_OUTBOUND_H1_OVER_H2: 'true' });
  meshes.push(h1OverH2Mesh);
  h2Mesh = await startMesh((h2App.address() as AddressInfo).port);
  meshes.push(h2Mesh);
});

afterAll(async () => {
  await Promise.all(meshes.map((m) => m.close()));
  meshes = [];
  h1App?.close();
  h2App?.close();
});

/** An HTTP/1 POST with `headers` in their own case and, chunked, with `trailers`; what the app saw. */
function h1Post(port: number, headers: readonly string[], trailers: [string, string][]): Promise<Seen> {
  seen = [];
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        agent: false,
        headers: [...headers, 'Host', SERVICE, 'Transfer-Encoding', 'chunked', 'Trailer', 'x-checksum'],
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve(seen[0] as Seen) : reject(new Error(`${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.write('body');
    req.addTrailers(trailers);
    req.end();
  });
}

/**
 * An HTTP/2 POST (h2c) with `headers`, a body and mesh trailers; what the app saw.
 * (The proxy relays no HTTP/2 request trailers yet; the trailer checks keep it so for mesh ones once it does.)
 */
async function h2Post(port: number, headers: OutgoingHttpHeaders): Promise<Seen> {
  seen = [];
  const session = h2Connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  try {
    const stream = session.request(
      { ':method': 'POST', ':path': '/', ':authority': SERVICE, ...headers },
      { waitForTrailers: true },
    );
    stream.on('wantTrailers', () => stream.sendTrailers({ 'weft-client-id': 'forged', weft_dst_canonical: 'x' }));
    stream.end('body');
    const [response] = (await once(stream, 'response')) as [IncomingHttpHeaders];
    stream.resume();
    expect(response[':status']).toBe(200);
    return seen[0] as Seen;
  } finally {
    session.close();
  }
}

/** An HTTP/1.1 Upgrade request written by hand, headers in their own case; what the app saw. */
async function upgrade(port: number, headers: readonly string[]): Promise<Seen> {
  seen = [];
  const socket = netConnect(port, '127.0.0.1');
  try {
    let lines = '';
    for (let i = 0; i < headers.length; i += 2) lines += `${headers[i]}: ${headers[i + 1]}\r\n`;
    socket.write(`GET /ws HTTP/1.1\r\nHost: ${SERVICE}\r\nConnection: Upgrade\r\nUpgrade: test\r\n${lines}\r\n`);
    let reply = '';
    socket.setEncoding('latin1');
    for await (const chunk of socket) {
      reply += chunk;
      if (reply.includes('\r\n\r\n')) break;
    }
    expect(reply).toMatch(/^HTTP\/1\.1 101/);
    return seen[0] as Seen;
  } finally {
    socket.destroy();
  }
}

describe('weft-* headers from a client that is not mTLS-authenticated', () => {
  it('never reach the app over HTTP/1, as headers or trailers', async () => {
    const got = await h1Post(h1Mesh.inboundPort, FORGED, FORGED_TRAILERS);
    expect(meshHeaders(got.headers)).toEqual([]);
    expect(meshHeaders(got.trailers)).toEqual([]);
    // Everything else arrives: the check strips only what it must.
    expect(got.headers).toContain('kept');
    expect(got.trailers).toEqual(['x-checksum', 'abc']);
  });

  it('never reach the app over HTTP/2, as headers or trailers', async () => {
    const got = await h2Post(h2Mesh.inboundPort, FORGED_H2);
    expect(meshHeaders(got.headers)).toEqual([]);
    expect(meshHeaders(got.trailers)).toEqual([]);
    expect(got.headers).toContain('kept');
  });

  it('never reach the app over HTTP/2 that asks to become HTTP/1 again (weft-orig-proto), as headers or trailers', async () => {
    const got = await h2Post(h1Mesh.inboundPort, { 'weft-orig-proto': 'HTTP/1.1', ...FORGED_H2 });
    expect(meshHeaders(got.headers)).toEqual([]);
    expect(meshHeaders(got.trailers)).toEqual([]);
    expect(got.headers).toContain('kept');
  });

  it('never reach the app with an HTTP/1.1 Upgrade', async () => {
    const got = await upgrade(h1Mesh.inboundPort, FORGED);
    expect(meshHeaders(got.headers)).toEqual([]);
    expect(got.headers).toContain('kept');
  });
});

describe("an app's own weft-* headers", () => {
  it('never leave its proxy over HTTP/1: the far app sees only what the proxies say', async () => {
    const got = await h1Post(h1Mesh.upstreamPort, FORGED, FORGED_TRAILERS);
    expect(meshHeaders(got.headers)).toEqual([
      ['weft-client-id', h1Mesh.clientIdentity],
      ['weft-dst-canonical', SERVICE],
    ]);
    expect(got.trailers).toEqual(['x-checksum', 'abc']);
  });

  it('never leave its proxy when HTTP/1 travels on the HTTP/2 session between proxies', async () => {
    const got = await h1Post(h1OverH2Mesh.upstreamPort, FORGED, FORGED_TRAILERS);
    expect(meshHeaders(got.headers)).toEqual([
      ['weft-client-id', h1OverH2Mesh.clientIdentity],
      ['weft-dst-canonical', SERVICE],
    ]);
  });

  it('never leave its proxy over HTTP/2', async () => {
    const got = await h2Post(h2Mesh.upstreamPort, FORGED_H2);
    expect(meshHeaders(got.headers)).toEqual([
      ['weft-client-id', h2Mesh.clientIdentity],
      ['weft-dst-canonical', SERVICE],
    ]);
  });

  it('never leave its proxy with an HTTP/1.1 Upgrade', async () => {
    const got = await upgrade(h1Mesh.upstreamPort, FORGED);
    expect(meshHeaders(got.headers)).toEqual([['weft-client-id', h1Mesh.clientIdentity]]);
  });
});
