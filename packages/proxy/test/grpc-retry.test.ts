import { createHash } from 'node:crypto';
import {
  credentials,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  status,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, SERVICE, startMesh } from './support/mesh.ts';

// Retries of gRPC calls through a real proxy pair: a call that fails with
// UNAVAILABLE on its first attempt is sent again with its message intact
// (1 KiB); a 100 KiB message is not kept for a retry, so the failure stands.

const raw = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };
const service = {
  flaky: {
    path: '/test.Echo/Flaky',
    requestStream: false,
    responseStream: false,
    requestSerialize: raw.serialize,
    requestDeserialize: raw.deserialize,
    responseSerialize: raw.serialize,
    responseDeserialize: raw.deserialize,
  },
} as unknown as ServiceDefinition;
const Client = makeGenericClientConstructor(service, 'Echo');
// biome-ignore lint/suspicious/noExplicitAny: grpc-js generic clients are untyped
type AnyClient = any;

let server: Server;
let mesh: Mesh;
let client: AnyClient;
const attempts = new Map<string, number>();
const seen: string[] = [];
const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  server = new Server();
  server.addService(service, {
    flaky: (call: AnyClient, cb: AnyClient) => {
      const body = call.request as Buffer;
      const d = digest(body);
      seen.push(d);
      const n = (attempts.get(d) ?? 0) + 1;
      attempts.set(d, n);
      if (n === 1) cb({ code: status.UNAVAILABLE, details: 'first attempt fails' });
      else cb(null, Buffer.from(d));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  mesh = await startMesh(port);
  mesh.destination.setProfile(SERVICE, {
    routes: [
      { condition: { path: { regex: '/test\\.Echo/.*' } }, metricsLabels: { route: 'echo' }, isRetryable: true },
    ],
    retryBudget: { retryRatio: 1, minRetriesPerSecond: 10, ttl: { seconds: 10 } },
  });
  client = new Client(`127.0.0.1:${mesh.upstreamPort}`, credentials.createInsecure());
  const deadline = Date.now() + 10_000;
  while (
    !(await fetch(`http://127.0.0.1:${mesh.client.addresses?.admin.port}/metrics`).then((r) => r.text())).includes(
      'rt_route="echo"',
    )
  ) {
    if (Date.now() > deadline) throw new Error('profile not applied');
    await new Promise((r) => setTimeout(r, 20));
  }
});

afterAll(async () => {
  client.close();
  await mesh.close();
  server.forceShutdown();
});

const unary = (body: Buffer) =>
  new Promise<{ code: number; reply?: string }>((resolve) =>
    client.flaky(body, (err: AnyClient, reply: Buffer) =>
      resolve(err ? { code: err.code } : { code: 0, reply: reply.toString() }),
    ),
  );

describe('gRPC retries', () => {
  it('retries a 1 KiB call intact, and does not retry a 100 KiB one', async () => {
    const small = Buffer.alloc(1024, 's');
    small.write('one kibibyte', 0);
    const ok = await unary(small);
    expect(ok).toEqual({ code: 0, reply: digest(small) });
    expect(attempts.get(digest(small))).toBe(2);

    const big = Buffer.alloc(100 * 1024, 'b');
    const failed = await unary(big);
    expect(failed.code).toBe(status.UNAVAILABLE);
    expect(attempts.get(digest(big))).toBe(1);
    expect(seen.filter((d) => d === digest(small))).toHaveLength(2);
  });
});
