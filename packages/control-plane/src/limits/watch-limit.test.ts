import { credentials, Server, ServerCredentials, type ServerWritableStream, status } from '@grpc/grpc-js';
import { loadDestinationApi } from '@weft/api';
import type { DestinationClient } from '@weft/api/gen/weft/destination/Destination.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamReader } from '../../test/support/stream.ts';
import { Metrics } from '../admin/metrics.ts';
import { WatchLimit } from './watch-limit.ts';

// The limit in front of a real gRPC server: a plaintext client is counted by
// its connection, and a client refused again and again is logged once a minute.

describe('WatchLimit', () => {
  let server: Server | undefined;
  let client: DestinationClient | undefined;
  afterEach(() => {
    client?.close();
    server?.forceShutdown();
  });

  it('logs a refused client once per minute, however often it is refused', async () => {
    let now = 1_000_000;
    const warnings: Record<string, unknown>[] = [];
    const metrics = new Metrics();
    const limit = new WatchLimit({ max: 1, metrics, warn: (_msg, fields) => warnings.push(fields), now: () => now });
    const Destination = loadDestinationApi().weft.destination.Destination;
    server = new Server();
    server.addService(
      Destination.service,
      limit.wrap(
        {
          Get: (call: ServerWritableStream<unknown, unknown>) => call.write({ noEndpoints: { exists: true } }),
          GetProfile: (call: ServerWritableStream<unknown, unknown>) => call.end(),
        },
        ['Get'],
      ),
    );
    const port = await new Promise<number>((resolve, reject) =>
      server?.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    client = new Destination(`127.0.0.1:${port}`, credentials.createInsecure());
    const get = () =>
      new StreamReader((client as DestinationClient).Get({ scheme: 'local', path: 'web-svc:80', contextToken: '' }));

    const held = get();
    await held.next();
    const refusals = async () => expect((await get().failure()).code).toBe(status.RESOURCE_EXHAUSTED);
    await refusals();
    now += 30_000;
    await refusals();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.client).toMatch(/^connection 127\.0\.0\.1:\d+$/);
    now += 31_000;
    await refusals();
    expect(warnings).toHaveLength(2);
    expect(metrics.render()).toMatch(/^watches_refused_total\{rpc="Get"\} 3$/m);
    held.cancel();
  });
});
