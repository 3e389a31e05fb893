import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { type AddressInfo, connect } from 'node:net';
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import type { TapEvent, TapMatch } from '@weft/api/tap';
import { identityName, issueWorkloadCertificate } from '@weft/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, startMesh } from './support/mesh.ts';

// Tap through a real proxy pair: the doughnut vote fails with gRPC UNKNOWN
// "ERROR", and a tap on either proxy shows req / rsp / end with
// grpc-status 2; match filters narrow what is seen; only the authorized
// identity may tap.

const raw = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };
const method = (name: string) => ({
  path: `/emojivoto.v1.VotingService/${name}`,
  requestStream: false,
  responseStream: false,
  requestSerialize: raw.serialize,
  requestDeserialize: raw.deserialize,
  responseSerialize: raw.serialize,
  responseDeserialize: raw.deserialize,
});
const service = {
  voteDoughnut: method('VoteDoughnut'),
  voteHeart: method('VoteHeart'),
} as unknown as ServiceDefinition;
const Client = makeGenericClientConstructor(service, 'VotingService');
// biome-ignore lint/suspicious/noExplicitAny: grpc-js generic clients are untyped
type AnyClient = any;

const DOMAIN = { trustDomain: 'cluster.local', controlPlaneNamespace: 'weft-system' };
const CLI_ID = identityName('weft-cli', 'weft-system', DOMAIN);

let server: Server;
let mesh: Mesh;
let client: AnyClient;
// Spans the proxies export, as OTLP/HTTP JSON.
const spans: { traceId: string; parentSpanId: string; spanId: string; kind: number; status: { code: number } }[] = [];
const collector = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    for (const rs of JSON.parse(body).resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
    res.end('{}');
  });
});

beforeAll(async () => {
  server = new Server();
  server.addService(service, {
    voteDoughnut: (_call: AnyClient, cb: AnyClient) => cb({ code: status.UNKNOWN, details: 'ERROR' }),
    voteHeart: (_call: AnyClient, cb: AnyClient) => cb(null, Buffer.alloc(0)),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
  mesh = await startMesh(port, {
    WEFT_PROXY_TRACE_COLLECTOR_ADDR: `127.0.0.1:${(collector.address() as AddressInfo).port}`,
    WEFT_PROXY_TAP_AUTHORIZED_IDENTITY: CLI_ID,
    WEFT_PROXY_TAP_LISTEN_ADDR: '127.0.0.1:0',
  });
  client = new Client(`127.0.0.1:${mesh.upstreamPort}`, credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await mesh.close();
  server.forceShutdown();
  collector.close();
});

const call = (name: 'voteDoughnut' | 'voteHeart') =>
  new Promise<ServiceError | null>((resolve) =>
    client[name](Buffer.alloc(0), new Metadata(), (err: ServiceError | null) => resolve(err)),
  );

interface Watch {
  readonly status: number;
  readonly events: TapEvent[];
  stop(): void;
}

/** Starts a tap on one proxy as `sa`; resolves once the proxy has answered. */
function tap(side: 'client' | 'server', sa: string, match: TapMatch): Promise<Watch> {
  const sidecar = side === 'client' ? mesh.client : mesh.server;
  const cert = issueWorkloadCertificate(mesh.ca.issuer, identityName(sa, 'weft-system', DOMAIN));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: sidecar.addresses?.tap?.port,
        method: 'POST',
        path: '/tap',
        servername: side === 'client' ? mesh.clientIdentity : mesh.serverIdentity,
        ca: mesh.ca.trustAnchorsPem,
        cert: cert.certChainPem,
        key: cert.keyPem,
        minVersion: 'TLSv1.3',
        agent: false,
      },
      (res: IncomingMessage) => {
        const events: TapEvent[] = [];
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl = buf.indexOf('\n');
          while (nl >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line) events.push(JSON.parse(line));
            nl = buf.indexOf('\n');
          }
        });
        res.on('error', () => {});
        // The first (empty) line says the watch is in place.
        const ready = () => resolve({ status: res.statusCode ?? 0, events, stop: () => req.destroy() });
        if (res.statusCode === 200) res.once('data', ready);
        else res.on('end', ready);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ match }));
  });
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

describe('tap', () => {
  it('shows the failing doughnut vote on both proxies, ending with grpc-status Unknown', async () => {
    const out = await tap('client', 'weft-cli', {});
    const inb = await tap('server', 'weft-cli', {});
    const err = await call('voteDoughnut');
    expect(err?.code).toBe(status.UNKNOWN);
    expect(err?.details).toBe('ERROR');
    await until(() => out.events.length >= 3 && inb.events.length >= 3);
    out.stop();
    inb.stop();
    expect(out.events.map((e) => e.type)).toEqual(['req', 'rsp', 'end']);
    const [req, rsp, end] = out.events as [TapEvent, TapEvent, TapEvent];
    expect(req).toMatchObject({
      proxy: 'out',
      tls: true,
      method: 'POST',
      path: '/emojivoto.v1.VotingService/VoteDoughnut',
      serverId: mesh.serverIdentity,
      dst: `127.0.0.1:${mesh.inboundPort}`,
    });
    expect(req.src).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(rsp).toMatchObject({ id: req.id, status: 200 });
    expect(end).toMatchObject({ id: req.id, grpcStatus: 2 });
    expect(end.sinceRequestInitUs).toBeGreaterThan(0);
    expect(inb.events.map((e) => e.type)).toEqual(['req', 'rsp', 'end']);
    expect(inb.events[0]).toMatchObject({ proxy: 'in', tls: true, clientId: mesh.clientIdentity });
    expect(inb.events[2]).toMatchObject({ grpcStatus: 2 });
  });

  it("shows a request's headers and the trace it carries, credentials redacted", async () => {
    const out = await tap('client', 'weft-cli', {});
    const traceId = 'feedface00000000feedface00000000';
    const md = new Metadata();
    md.set('traceparent', `00-${traceId}-0123456789abcdef-01`);
    md.set('authorization', 'Bearer secret-token');
    md.set('x-workshop', 'lab 5');
    await new Promise((resolve) => client.voteDoughnut(Buffer.alloc(0), md, resolve));
    await until(() => out.events.length >= 1);
    out.stop();
    const req = out.events[0] as TapEvent;
    expect(req.traceId).toBe(traceId);
    expect(req.headers).toMatchObject({
      'content-type': 'application/grpc',
      authorization: '<redacted>',
      'x-workshop': 'lab 5',
    });
    expect(JSON.stringify(req)).not.toContain('secret-token');
    expect(Object.keys(req.headers ?? {}).some((name) => name.startsWith(':'))).toBe(false);
  });

  it('matches by path prefix and by method', async () => {
    const doughnut = await tap('client', 'weft-cli', { pathPrefix: '/emojivoto.v1.VotingService/VoteDoughnut' });
    const gets = await tap('client', 'weft-cli', { method: 'GET' });
    await call('voteHeart');
    await call('voteDoughnut');
    await until(() => doughnut.events.length >= 3);
    // A last call both would see had they matched, so late events would show.
    await call('voteHeart');
    doughnut.stop();
    gets.stop();
    expect(doughnut.events.map((e) => e.path)).toEqual(Array(3).fill('/emojivoto.v1.VotingService/VoteDoughnut'));
    expect(gets.events).toHaveLength(0);
  });

  it('gives a sampled gRPC call a span on each side, marked as an error for grpc-status Unknown', async () => {
    const traceId = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    const md = new Metadata();
    md.set('traceparent', `00-${traceId}-0123456789abcdef-01`);
    await new Promise((resolve) => client.voteDoughnut(Buffer.alloc(0), md, resolve));
    await until(() => spans.filter((s) => s.traceId === traceId).length >= 2);
    const mine = spans.filter((s) => s.traceId === traceId);
    const out = mine.find((s) => s.kind === 3);
    const inb = mine.find((s) => s.kind === 2);
    expect(out?.parentSpanId).toBe('0123456789abcdef');
    expect(inb?.parentSpanId).toBe(out?.spanId);
    expect(mine.map((s) => s.status.code)).toEqual([2, 2]);
  });

  it('closes connections that send junk instead of a TLS handshake, and keeps serving', async () => {
    const port = mesh.client.addresses?.tap?.port as number;
    for (const junk of [Buffer.alloc(4096, 0x16), Buffer.from('GET /tap HTTP/1.1\r\n\r\n')]) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.end(junk);
      await once(socket, 'close');
    }
    const ok = await tap('client', 'weft-cli', {});
    ok.stop();
    expect(ok.status).toBe(200);
  });

  it('refuses any identity but the authorized one', async () => {
    const refused = await tap('client', 'web', {});
    expect(refused.status).toBe(403);
    // Without a client certificate the handshake itself fails.
    await expect(
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: mesh.client.addresses?.tap?.port,
            method: 'POST',
            path: '/tap',
            servername: mesh.clientIdentity,
            ca: mesh.ca.trustAnchorsPem,
            agent: false,
          },
          (res) => resolve(res.statusCode),
        );
        req.on('error', reject);
        req.end('{}');
      }),
    ).rejects.toThrow();
  });
});
