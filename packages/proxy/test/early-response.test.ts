import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, startMesh } from './support/mesh.ts';

// An app may answer before it has read the request: 413 to an upload that is
// too large, then close. The app's answer is what the client must see, not a
// 502 from the proxy that was still sending the body when the app closed.

const UPLOAD = Buffer.alloc(5 * 1024 * 1024, 0x61);
const ROUNDS = 30;

/** POSTs the upload to `port`; resolves with the status, whatever happens to the body's last bytes. */
function upload(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/upload',
      headers: { host: 'app.local', 'content-length': UPLOAD.length },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    // Once the answer arrived the client may be cut off mid-body; before it, that is a failure.
    req.on('error', reject);
    req.end(UPLOAD);
  });
}

/** A proxy pair in front of an app that answers 413 at once and closes; stopped after the block. */
function meshBeforeAppReads(h1OverH2: boolean): () => Mesh {
  let mesh: Mesh;
  let app: Server;
  beforeAll(async () => {
    app = createServer((_req, res) => {
      res.writeHead(413, { connection: 'close', 'content-type': 'text/plain' });
      res.end('too large\n');
    });
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    mesh = await startMesh((app.address() as AddressInfo).port, { WEFT_PROXY_OUTBOUND_H1_OVER_H2: String(h1OverH2) });
  });
  afterAll(async () => {
    await mesh.close();
    app.close();
  });
  return () => mesh;
}

async function expect413s(port: number): Promise<void> {
  const statuses: number[] = [];
  for (let i = 0; i < ROUNDS; i++) statuses.push(await upload(port));
  expect(statuses).toEqual(Array(ROUNDS).fill(413));
}

describe('an app that answers before reading the request body', () => {
  const mesh = meshBeforeAppReads(false);

  it("reaches the client as the app's 413, every time, through the proxy pair", async () => {
    await expect413s(mesh().upstreamPort);
  });

  it("reaches the client as the app's 413, every time, through the inbound proxy alone", async () => {
    await expect413s(mesh().inboundPort);
  });
});

describe('an app that answers before reading the request body, HTTP/1 carried over HTTP/2 between proxies', () => {
  const mesh = meshBeforeAppReads(true);

  it("reaches the client as the app's 413, every time, through the proxy pair", async () => {
    await expect413s(mesh().upstreamPort);
  });
});
