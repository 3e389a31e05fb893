import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Client, status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalPlane, meshIdentity } from './support/local-plane.ts';
import { StreamReader } from './support/stream.ts';

const SERVICE =
  'apiVersion: v1\nkind: Service\nmetadata: { name: web-svc, namespace: emojivoto }\nspec: { ports: [{ port: 80 }] }\n';

describe('hostile input', () => {
  let plane: LocalPlane;
  afterEach(() => plane?.stop());

  it('survives random bytes, garbage messages and absurd requests, and keeps serving', async () => {
    plane = await new LocalPlane().start({ 'svc.yaml': SERVICE });

    // Random bytes instead of an HTTP/2 preface.
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(plane.cp.grpcPort, '127.0.0.1', () => {
          socket.write(randomBytes(4096));
          setTimeout(() => socket.destroy(), 100);
        });
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
      });
    }

    // Well-framed gRPC carrying bytes that are not a GetDestination.
    const { creds, options } = plane.channel(meshIdentity('web'));
    const raw = new Client(`127.0.0.1:${plane.cp.grpcPort}`, creds, options);
    // Registration is the runner's alone: bytes that happen to decode reach its refusal.
    for (const [method, refusals] of [
      ['/weft.destination.Destination/Get', [status.INTERNAL, status.INVALID_ARGUMENT, status.NOT_FOUND]],
      ['/weft.policy.InboundServerPolicies/WatchPort', [status.INTERNAL, status.INVALID_ARGUMENT, status.NOT_FOUND]],
      [
        '/weft.registration.Registration/Register',
        [status.INTERNAL, status.INVALID_ARGUMENT, status.PERMISSION_DENIED],
      ],
    ] as const) {
      const call = new StreamReader(
        raw.makeServerStreamRequest(
          method,
          () => randomBytes(64),
          (b: Buffer) => b,
          {},
        ),
      );
      const err = await call.failure();
      expect(refusals).toContain(err.code);
    }
    raw.close();

    // Absurd but well-formed requests get clear errors; one too big to be a request is not read.
    const long = plane.get(`${'a'.repeat(10_000)}:80`);
    expect((await long.failure()).code).toBe(status.INVALID_ARGUMENT);
    const huge = plane.get(`${'a'.repeat(70_000)}:80`);
    expect((await huge.failure()).code).toBe(status.RESOURCE_EXHAUSTED);
    const token = plane.get('web-svc:80', '{"ns": 42, "pod": [');
    expect((await token.failure()).details).toMatch(/WEFT_CP_INVALID_WORKLOAD/);

    // Still serving.
    const get = plane.get('web-svc.emojivoto.svc.cluster.local:80');
    expect((await get.next()).noEndpoints).toEqual({ exists: true });
    get.cancel();
  });
});
