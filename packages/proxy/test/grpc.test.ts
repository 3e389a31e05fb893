import { connect } from 'node:http2';
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, startMesh } from './support/mesh.ts';

// gRPC (HTTP/2 with prior knowledge) through the proxy pair: unary and the
// three streaming kinds, statuses and trailers, deadlines and cancellation.

const raw = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };
const method = (path: string, requestStream: boolean, responseStream: boolean) => ({
  path: `/test.Echo/${path}`,
  requestStream,
  responseStream,
  requestSerialize: raw.serialize,
  requestDeserialize: raw.deserialize,
  responseSerialize: raw.serialize,
  responseDeserialize: raw.deserialize,
});
const service = {
  unary: method('Unary', false, false),
  serverStream: method('ServerStream', false, true),
  clientStream: method('ClientStream', true, false),
  bidi: method('Bidi', true, true),
} as unknown as ServiceDefinition;
const Client = makeGenericClientConstructor(service, 'Echo');

// biome-ignore lint/suspicious/noExplicitAny: grpc-js generic clients are untyped
type AnyClient = any;

let server: Server;
let mesh: Mesh;
let client: AnyClient;
let cancelledOnServer = 0;

beforeAll(async () => {
  server = new Server();
  server.addService(service, {
    unary: (call: AnyClient, cb: AnyClient) => {
      const text = call.request.toString();
      if (text === 'fail') {
        const md = new Metadata();
        md.set('x-reason', 'asked');
        cb({ code: status.NOT_FOUND, details: 'no such thing', metadata: md });
        return;
      }
      if (text === 'slow') {
        const t = setTimeout(() => cb(null, Buffer.from('late')), 2000);
        call.on('cancelled', () => {
          cancelledOnServer++;
          clearTimeout(t);
        });
        return;
      }
      cb(null, Buffer.from(`${text}|${call.metadata.get('weft-client-id')[0] ?? ''}`));
    },
    serverStream: (call: AnyClient) => {
      const n = Number(call.request.toString());
      for (let i = 0; i < n; i++) call.write(Buffer.from(`m${i}`));
      call.end();
    },
    clientStream: (call: AnyClient, cb: AnyClient) => {
      const parts: string[] = [];
      call.on('data', (d: Buffer) => parts.push(d.toString()));
      call.on('end', () => cb(null, Buffer.from(parts.join(','))));
    },
    bidi: (call: AnyClient) => {
      call.on('data', (d: Buffer) => call.write(Buffer.from(`echo:${d}`)));
      call.on('end', () => call.end());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  mesh = await startMesh(port);
  client = new Client(`127.0.0.1:${mesh.upstreamPort}`, credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await mesh.close();
  server.forceShutdown();
});

const unary = (body: string, options: object = {}) =>
  new Promise<{ err: ServiceError | null; value?: Buffer }>((resolve) =>
    client.unary(Buffer.from(body), new Metadata(), options, (err: ServiceError | null, value?: Buffer) =>
      resolve({ err, value }),
    ),
  );

describe('gRPC through a proxy pair with mTLS', () => {
  it('answers a unary call, and the server learns the caller identity', async () => {
    const { err, value } = await unary('hello');
    expect(err).toBeNull();
    expect(value?.toString()).toBe(`hello|${mesh.clientIdentity}`);
  });

  it('passes a status code, message and trailing metadata', async () => {
    const { err } = await unary('fail');
    expect(err?.code).toBe(status.NOT_FOUND);
    expect(err?.details).toBe('no such thing');
    expect(err?.metadata.get('x-reason')).toEqual(['asked']);
  });

  it('streams from the server', async () => {
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const call = client.serverStream(Buffer.from('50'));
      call.on('data', (d: Buffer) => got.push(d.toString()));
      call.on('end', resolve);
      call.on('error', reject);
    });
    expect(got).toHaveLength(50);
    expect(got[49]).toBe('m49');
  });

  it('streams from the client', async () => {
    const value = await new Promise<Buffer>((resolve, reject) => {
      const call = client.clientStream((err: ServiceError | null, v: Buffer) => (err ? reject(err) : resolve(v)));
      for (let i = 0; i < 20; i++) call.write(Buffer.from(String(i)));
      call.end();
    });
    expect(value.toString().split(',')).toHaveLength(20);
  });

  it('streams both ways, message by message', async () => {
    const call = client.bidi();
    const replies: string[] = [];
    for (let i = 0; i < 5; i++) {
      const reply = new Promise<string>((resolve) => call.once('data', (d: Buffer) => resolve(d.toString())));
      call.write(Buffer.from(`ping${i}`));
      replies.push(await reply);
    }
    call.end();
    await new Promise((r) => call.on('end', r));
    expect(replies).toEqual(['echo:ping0', 'echo:ping1', 'echo:ping2', 'echo:ping3', 'echo:ping4']);
  });

  it('enforces deadlines end to end and cancels the server-side call', async () => {
    const before = cancelledOnServer;
    const started = Date.now();
    const { err } = await unary('slow', { deadline: Date.now() + 300 });
    expect(err?.code).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(1500);
    // The cancellation crosses both proxies; the server would answer at 2 s if it never came.
    const deadline = Date.now() + 10_000;
    while (cancelledOnServer === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(cancelledOnServer).toBe(before + 1);
  });

  it('carries plain HTTP/2 requests with a body on the transparent listener', async () => {
    const session = connect(`http://127.0.0.1:${mesh.outboundPort}`);
    const stream = session.request({
      ':method': 'POST',
      ':path': '/test.Echo/Unary',
      ':authority': 'emoji-svc.emojivoto.svc.cluster.local:8080',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const frame = Buffer.alloc(5 + 2);
    frame.writeUInt32BE(2, 1);
    frame.write('hi', 5);
    stream.end(frame);
    const chunks: Buffer[] = [];
    const trailers = await new Promise<Record<string, unknown>>((resolve) => {
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('trailers', (t) => resolve(t));
    });
    expect(trailers['grpc-status']).toBe('0');
    expect(Buffer.concat(chunks).subarray(5).toString()).toBe(`hi|${mesh.clientIdentity}`);
    session.close();
  });
});
