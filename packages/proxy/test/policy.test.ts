import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:http2';
import { type AddressInfo, connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, startMesh } from './support/mesh.ts';
import { type ServerPolicy, TestPolicy } from './support/policy-server.ts';

// Inbound authorization from the policy API on a real proxy pair: meshed
// calls carry the client's identity, plaintext calls none. Every change
// applies within a second.

let mesh: Mesh;
let app: Server;
let policy: TestPolicy;

const WEB = 'web.emojivoto.serviceaccount.identity.weft-system.cluster.local';
const allAuthenticated: ServerPolicy = {
  protocol: { detect: {} },
  authorizations: [
    { networks: [{ net: '0.0.0.0/0' }, { net: '::/0' }], authentication: { meshTls: { unauthenticated: {} } } },
  ],
  labels: { kind: 'default', name: 'all-authenticated' },
};
const deny: ServerPolicy = { protocol: { detect: {} }, authorizations: [], labels: { kind: 'default', name: 'deny' } };
const onlyIdentity = (id: string): ServerPolicy => ({
  protocol: { http1: {} },
  authorizations: [{ authentication: { meshTls: { identities: { identities: [id] } } } }],
  labels: { kind: 'server', name: 'web-http' },
});

beforeAll(async () => {
  app = createServer((_req, res) => res.end('ok'));
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  policy = new TestPolicy();
  await policy.start();
  const appPort = (app.address() as AddressInfo).port;
  mesh = await startMesh(appPort, {}, policy.source('{"ns":"emojivoto","pod":"emoji-0"}', appPort));
});

afterAll(async () => {
  await mesh.close();
  policy.stop();
  app.close();
});

const meshed = async () => {
  const res = await fetch(`http://127.0.0.1:${mesh.upstreamPort}/`);
  await res.arrayBuffer();
  return res.status;
};
const plaintext = async () => {
  const res = await fetch(`http://127.0.0.1:${mesh.inboundPort}/`);
  await res.arrayBuffer();
  return { status: res.status, error: res.headers.get('weft-proxy-error') };
};

async function within1s(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('policy change not applied within 1 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('inbound authorization', () => {
  it('under all-authenticated, denies a plaintext client and lets a meshed one through', async () => {
    policy.set(allAuthenticated);
    await within1s(async () => (await plaintext()).status === 403);
    expect(await meshed()).toBe(200);
    expect(policy.requests[0]?.workload).toBe('{"ns":"emojivoto","pod":"emoji-0"}');
  });

  it('denies everyone by default, and one AuthorizationPolicy lets its identity in', async () => {
    policy.set(deny);
    await within1s(async () => (await meshed()) === 403);
    expect((await plaintext()).status).toBe(403);
    policy.set(onlyIdentity(WEB));
    await within1s(async () => (await meshed()) === 200);
    policy.set(onlyIdentity('vote-bot.emojivoto.serviceaccount.identity.weft-system.cluster.local'));
    await within1s(async () => (await meshed()) === 403);
  });

  it('refuses a denied WebSocket upgrade before it reaches the app', async () => {
    policy.set(deny);
    await within1s(async () => (await plaintext()).status === 403);
    const socket = netConnect(mesh.inboundPort, '127.0.0.1');
    socket.end('GET /ws HTTP/1.1\r\nHost: app\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    let reply = '';
    socket.on('data', (c) => {
      reply += c;
    });
    await once(socket, 'close');
    expect(reply.startsWith('HTTP/1.1 403')).toBe(true);
  });

  it('answers a denied gRPC call with PERMISSION_DENIED', async () => {
    policy.set(deny);
    await within1s(async () => (await plaintext()).status === 403);
    const session = connect(`http://127.0.0.1:${mesh.inboundPort}`);
    const stream = session.request({
      ':method': 'POST',
      ':path': '/emojivoto.v1.VotingService/VoteDoughnut',
      'content-type': 'application/grpc',
    });
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
    const [headers] = (await once(stream, 'response')) as [Record<string, string>];
    session.close();
    expect(headers[':status']).toBe(200);
    expect(headers['grpc-status']).toBe('7');
  });
});
