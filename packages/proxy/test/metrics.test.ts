import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promtoolProblems } from '@weft/api/testing/promtool';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, SERVICE, startMesh } from './support/mesh.ts';

// /metrics on both proxies of a pair: Linkerd's families and labels, counts
// equal to the requests sent, and a format promtool accepts.

let mesh: Mesh;
let app: Server;

beforeAll(async () => {
  app = createServer((req, res) => {
    res.statusCode = req.url === '/boom' ? 500 : 200;
    res.end('x');
  });
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  mesh = await startMesh((app.address() as AddressInfo).port);
  for (let i = 0; i < 5; i++) await (await fetch(`http://127.0.0.1:${mesh.upstreamPort}/ok`)).text();
  for (let i = 0; i < 2; i++) await (await fetch(`http://127.0.0.1:${mesh.upstreamPort}/boom`)).text();
});

afterAll(async () => {
  await mesh.close();
  app.close();
});

const scrape = async (port: number | undefined) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

/** The value of the one series of `name` whose labels include every `want`. */
function value(text: string, name: string, want: Record<string, string>): number {
  const rows = text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && Object.entries(want).every(([k, v]) => l.includes(`${k}="${v}"`)));
  expect(rows, `${name} ${JSON.stringify(want)}`).toHaveLength(1);
  return Number(rows[0]?.split(' ').at(-1));
}

describe('/metrics', () => {
  it('counts outbound requests and responses with destination and TLS labels', async () => {
    const text = await scrape(mesh.client.addresses?.admin.port);
    const base = {
      direction: 'outbound',
      authority: SERVICE,
      tls: 'true',
      server_id: mesh.serverIdentity,
      dst_pod: 'emoji-0',
      dst_namespace: 'emojivoto',
      dst_service: 'emoji-svc',
    };
    expect(value(text, 'request_total', base)).toBe(7);
    expect(value(text, 'response_total', { ...base, status_code: '200', classification: 'success' })).toBe(5);
    expect(value(text, 'response_total', { ...base, status_code: '500', classification: 'failure' })).toBe(2);
    expect(value(text, 'response_latency_ms_count', { ...base, status_code: '200' })).toBe(5);
    expect(value(text, 'response_latency_ms_bucket', { ...base, status_code: '200', le: '+Inf' })).toBe(5);
    expect(value(text, 'tcp_open_total', { direction: 'outbound', peer: 'dst', tls: 'true' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(value(text, 'tcp_write_bytes_total', { direction: 'outbound', peer: 'dst', tls: 'true' })).toBeGreaterThan(
      0,
    );
  });

  it('counts inbound requests with the client identity', async () => {
    const text = await scrape(mesh.server.addresses?.admin.port);
    const base = { direction: 'inbound', tls: 'true', client_id: mesh.clientIdentity };
    expect(value(text, 'request_total', base)).toBe(7);
    expect(value(text, 'response_total', { ...base, status_code: '500' })).toBe(2);
    expect(
      value(text, 'tcp_open_connections', { direction: 'inbound', peer: 'src', tls: 'true' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('passes promtool check metrics, apart from the unit lint on a name Linkerd fixes', async () => {
    for (const port of [mesh.client.addresses?.admin.port, mesh.server.addresses?.admin.port])
      expect(await promtoolProblems(await scrape(port))).toEqual([]);
  });

  it('answers the probes, has no shutdown endpoint unless configured, and keeps log level to loopback', async () => {
    const admin = `http://127.0.0.1:${mesh.server.addresses?.admin.port}`;
    expect((await fetch(`${admin}/ready`)).status).toBe(200);
    expect(await (await fetch(`${admin}/live`)).text()).toBe('live\n');
    expect((await fetch(`${admin}/shutdown`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${admin}/proxy-log-level`, { method: 'PUT', body: 'debug' })).status).toBe(204);
    expect(await (await fetch(`${admin}/proxy-log-level`)).text()).toBe('debug\n');
    expect((await fetch(`${admin}/proxy-log-level`, { method: 'PUT', body: 'info' })).status).toBe(204);
    expect((await fetch(`${admin}/nope`)).status).toBe(404);
  });
});
