import { credentials, Server, ServerCredentials, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DestinationClient } from './gen/weft/destination/Destination.ts';
import type { Update__Output } from './gen/weft/destination/Update.ts';
import { loadDestinationApi, loadIdentityApi } from './index.ts';

// The loader and the generated types must agree on field names and oneof
// markers; a round trip over a real gRPC connection shows that they do.
describe('mesh API loading', () => {
  const destination = loadDestinationApi().weft.destination;
  const server = new Server();
  let client: DestinationClient;

  beforeAll(async () => {
    server.addService(destination.Destination.service, {
      Get: (call: { request: { path: string }; write(u: unknown): void; end(): void }) => {
        call.write({
          add: {
            addrs: [{ addr: { ip: '127.0.0.1', port: 8080 }, weight: 10000 }],
            metricLabels: { service: call.request.path },
          },
        });
        call.write({ remove: { addrs: [{ ip: '127.0.0.1', port: 8080 }] } });
        call.end();
      },
      GetProfile: (call: { emit(e: string, err: Partial<ServiceError>): void }) => {
        call.emit('error', { code: 5, details: 'unknown service' });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    client = new destination.Destination(`127.0.0.1:${port}`, credentials.createInsecure());
  });
  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  it('streams updates whose oneof names the member that is set', async () => {
    const updates: Update__Output[] = [];
    const stream = client.Get({ scheme: 'local', path: 'web-svc:80' });
    for await (const u of stream) updates.push(u as Update__Output);
    expect(updates.map((u) => u.update)).toEqual(['add', 'remove']);
    expect(updates[0]?.add?.addrs[0]?.addr?.port).toBe(8080);
    expect(updates[0]?.add?.metricLabels).toEqual({ service: 'web-svc:80' });
  });

  it('carries status codes from the server', async () => {
    const stream = client.GetProfile({ scheme: 'local', path: 'nope:80' });
    await expect(
      (async () => {
        for await (const _ of stream);
      })(),
    ).rejects.toMatchObject({ code: 5 });
  });

  it('loads the identity service definition', () => {
    const identity = loadIdentityApi().weft.identity.Identity;
    expect(Object.keys(identity.service)).toEqual(['Certify']);
  });
});
