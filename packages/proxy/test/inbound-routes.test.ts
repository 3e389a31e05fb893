import { once } from 'node:events';
import { createServer as createH1Server, request } from 'node:http';
import { connect, createServer as createH2Server, type Http2Server } from 'node:http2';
import { type AddressInfo, connect as connectTcp, createServer as createNetServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, SERVICE, startMesh } from './support/mesh.ts';
import { metricSum } from './support/metrics-text.ts';

// Route series on the server side: the inbound proxy looks up the profile of
// the service a request names and labels what it served with
// direction="inbound", as `weft routes deploy/NAME` reads them. A real proxy
// pair; the app speaks HTTP/2 (gRPC answers with grpc-status) and HTTP/1.

let mesh: Mesh;
let app: Server;
let h2: Http2Server;

beforeAll(async () => {
  const answer = (url: string | undefined): [number, Record<string, string>, string] => {
    if (url?.startsWith('/emojivoto.v1.VotingService/')) {
      const status = url === '/emojivoto.v1.VotingService/VoteDoughnut' ? '2' : '0';
      return [200, { 'content-type': 'application/grpc', 'grpc-status': status }, ''];
    }
    return [url === '/fail' ? 500 : 200, {}, 'ok'];
  };
  // The app answers both protocols on one port, as the inbound side forwards each as it came;
  // HTTP/2 reads from the socket's handle, so its connections are piped to a server of its own.
  const h1 = createH1Server((req, res) => {
    const [status, headers, body] = answer(req.url);
    res.writeHead(status, headers).end(body);
  });
  h2 = createH2Server((req, res) => {
    const [status, headers, body] = answer(req.url);
    res.writeHead(status, headers).end(body);
  });
  h2.listen(0, '127.0.0.1');
  await once(h2, 'listening');
  const h2Port = (h2.address() as AddressInfo).port;
  app = createNetServer((socket) => {
    socket.once('data', (first: Buffer) => {
      if (first.toString('latin1').startsWith('PRI * HTTP/2')) {
        const up = connectTcp(h2Port, '127.0.0.1');
        up.write(first);
        socket.pipe(up).pipe(socket);
        up.on('error', () => socket.destroy());
        socket.on('error', () => up.destroy());
        return;
      }
      socket.pause();
      socket.unshift(first);
      h1.emit('connection', socket);
      socket.resume();
    });
  });
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  mesh = await startMesh((app.address() as AddressInfo).port);
  mesh.destination.setProfile(SERVICE, {
    fullyQualifiedName: 'emoji-svc.emojivoto.svc.cluster.local',
    routes: [
      {
        condition: { path: { regex: '/emojivoto\\.v1\\.VotingService/VoteDoughnut' } },
        metricsLabels: { route: 'VoteDoughnut' },
      },
      { condition: { path: { regex: '/emojivoto\\.v1\\.VotingService/Vote.*' } }, metricsLabels: { route: 'Vote' } },
      {
        condition: { all: { matches: [{ method: 'GET' }, { path: { regex: '/fail' } }] } },
        metricsLabels: { route: 'GET /fail' },
      },
    ],
  });
});

afterAll(async () => {
  await mesh?.close();
  app?.close();
  h2?.close();
});

const scrape = async () => (await fetch(`http://127.0.0.1:${mesh.server.addresses?.admin.port}/metrics`)).text();

/** A gRPC-shaped call through the client proxy's transparent listener, naming the service. */
async function grpcCall(method: string): Promise<string | undefined> {
  const session = connect(`http://127.0.0.1:${mesh.outboundPort}`);
  try {
    const stream = session.request({
      ':method': 'POST',
      ':path': `/emojivoto.v1.VotingService/${method}`,
      ':authority': SERVICE,
      'content-type': 'application/grpc',
    });
    stream.end(Buffer.alloc(5));
    const [headers] = (await once(stream, 'response')) as [Record<string, string>];
    stream.resume();
    await once(stream, 'close');
    return headers['grpc-status'];
  } finally {
    session.close();
  }
}

/** An HTTP/1 request to `port` with `host` as its Host header; its status. */
async function h1(port: number, host: string, path: string, extra: Record<string, string> = {}): Promise<number> {
  const req = request({ host: '127.0.0.1', port, path, headers: { host, ...extra } });
  req.end();
  const [res] = await once(req, 'response');
  res.resume();
  await once(res, 'end');
  return res.statusCode;
}

async function eventually(check: () => Promise<boolean>, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('inbound route metrics', () => {
  const dst = { direction: 'inbound', dst: SERVICE };

  it("labels what the server side served with its service's routes", async () => {
    // The first request starts the watches; it counts on the default route until the profile
    // arrives, on each side.
    await eventually(async () => {
      await grpcCall('VoteDoughnut');
      const outbound = { direction: 'outbound', rt_route: 'VoteDoughnut' };
      return (
        metricSum(await scrape(), 'route_request_total', { ...dst, rt_route: 'VoteDoughnut' }) > 0 &&
        metricSum(await clientScrape(), 'route_request_total', outbound) > 0
      );
    });
    const before = await scrape();
    const doughnut0 = metricSum(before, 'route_request_total', { ...dst, rt_route: 'VoteDoughnut' });
    for (let i = 0; i < 3; i++) expect(await grpcCall('VoteDoughnut')).toBe('2');
    for (let i = 0; i < 2; i++) expect(await grpcCall('VotePizza')).toBe('0');
    expect(await h1(mesh.outboundPort, SERVICE, '/fail')).toBe(500);
    expect(await h1(mesh.outboundPort, SERVICE, '/other')).toBe(200);
    const text = await scrape();
    expect(metricSum(text, 'route_request_total', { ...dst, rt_route: 'VoteDoughnut' }) - doughnut0).toBe(3);
    expect(
      metricSum(text, 'route_response_total', { ...dst, rt_route: 'VoteDoughnut', classification: 'success' }),
    ).toBe(0);
    expect(
      metricSum(text, 'route_response_total', {
        ...dst,
        rt_route: 'VoteDoughnut',
        grpc_status: '2',
        classification: 'failure',
      }),
    ).toBe(metricSum(text, 'route_request_total', { ...dst, rt_route: 'VoteDoughnut' }));
    expect(metricSum(text, 'route_response_total', { ...dst, rt_route: 'Vote', classification: 'success' })).toBe(2);
    expect(metricSum(text, 'route_response_total', { ...dst, rt_route: 'GET /fail', status_code: '500' })).toBe(1);
    expect(metricSum(text, 'route_request_total', { ...dst, rt_route: '' })).toBeGreaterThanOrEqual(1);
    expect(metricSum(text, 'route_response_latency_ms_count', { ...dst, rt_route: 'Vote' })).toBe(2);
    // The caller, as on the other inbound series.
    expect(
      metricSum(text, 'route_request_total', { ...dst, rt_route: 'Vote', tls: 'true', client_id: mesh.clientIdentity }),
    ).toBe(2);
    // The caller's proxy counts the same calls on its own, outbound series.
    expect(metricSum(await clientScrape(), 'route_request_total', { direction: 'outbound', rt_route: 'Vote' })).toBe(2);
  });

  it('takes the service from the caller proxy when the app names an address', async () => {
    const before = metricSum(await scrape(), 'route_request_total', { ...dst, rt_route: 'GET /fail' });
    // The per-upstream listener: the app sends Host 127.0.0.1:<port>, as under `weft dev`.
    expect(await h1(mesh.upstreamPort, `127.0.0.1:${mesh.upstreamPort}`, '/fail')).toBe(500);
    expect(metricSum(await scrape(), 'route_request_total', { ...dst, rt_route: 'GET /fail' }) - before).toBe(1);
  });

  it('looks up no profile for an address, nor for a service a plaintext caller claims', async () => {
    const claim = { 'weft-dst-canonical': SERVICE };
    const before = metricSum(await scrape(), 'route_request_total', dst);
    expect(await h1(mesh.inboundPort, `127.0.0.1:${mesh.inboundPort}`, '/other', claim)).toBe(200);
    const text = await scrape();
    expect(text).not.toContain(`dst="127.0.0.1:${mesh.inboundPort}"`);
    expect(metricSum(text, 'route_request_total', dst)).toBe(before);
    expect(metricSum(text, 'request_total', { direction: 'inbound', authority: `127.0.0.1:${mesh.inboundPort}` })).toBe(
      1,
    );
  });

  it('labels a known service with the routes of a profile applied after its first requests', async () => {
    // A workshop's order: traffic first, then the ServiceProfile; the routes must show without a restart.
    const web = 'web-svc.emojivoto.svc.cluster.local:80';
    const want = { direction: 'inbound', dst: web, rt_route: 'web fail' };
    for (let i = 0; i < 3; i++) expect(await h1(mesh.inboundPort, web, '/fail')).toBe(500);
    expect(metricSum(await scrape(), 'route_request_total', want)).toBe(0);
    mesh.destination.setProfile(web, {
      fullyQualifiedName: 'web-svc.emojivoto.svc.cluster.local',
      routes: [{ condition: { path: { regex: '/fail' } }, metricsLabels: { route: 'web fail' } }],
    });
    await eventually(async () => {
      await h1(mesh.inboundPort, web, '/fail');
      return metricSum(await scrape(), 'route_request_total', want) > 0;
    });
  });

  it('gives a service declared after a caller named a crowd of made-up ones its route series, and them none', async () => {
    for (let i = 0; i < 40; i++) expect(await h1(mesh.inboundPort, `made-up-${i}.example:80`, '/other')).toBe(200);
    const voting = 'voting-svc.emojivoto.svc.cluster.local:8080';
    mesh.destination.setProfile(voting, {
      fullyQualifiedName: 'voting-svc.emojivoto.svc.cluster.local',
      routes: [{ condition: { path: { regex: '/fail' } }, metricsLabels: { route: 'voting fail' } }],
    });
    const want = { direction: 'inbound', dst: voting, rt_route: 'voting fail' };
    await eventually(async () => {
      await h1(mesh.inboundPort, voting, '/fail');
      return metricSum(await scrape(), 'route_request_total', want) > 0;
    });
    expect(await scrape()).not.toContain('dst="made-up-');
  });
});

const clientScrape = async () => (await fetch(`http://127.0.0.1:${mesh.client.addresses?.admin.port}/metrics`)).text();
