import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { loadDestinationApi } from '@weft/api';
import type { DestinationClient } from '@weft/api/gen/weft/destination/Destination.ts';
import { type Child, startChild } from './child.ts';
import type { Target } from './runner.ts';

// The control plane as `weft dev` runs it (local backend, a resource folder),
// with one Service to resolve so that a liveness check is a real Get.

const MAIN = new URL('../../control-plane/src/main.ts', import.meta.url).pathname;

export const KNOWN_SERVICE = 'web-svc.fuzz.svc.cluster.local:80';

const RESOURCES = `apiVersion: v1
kind: Service
metadata: { name: web-svc, namespace: fuzz }
spec: { ports: [{ port: 80 }] }
`;

export interface RunningControlPlane {
  readonly child: Child;
  readonly grpcPort: number;
  readonly adminPort: number;
  targets(): Target[];
  stop(): Promise<void>;
}

/** A real destination Get of KNOWN_SERVICE: resolves at its first update. */
function resolveKnownService(client: DestinationClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const call = client.Get({ scheme: 'local', path: KNOWN_SERVICE, contextToken: '{"ns":"fuzz","pod":"check"}' });
    call.once('data', () => {
      call.cancel();
      resolve();
    });
    call.once('error', (err: Error & { code?: number }) => {
      // CANCELLED is our own cancel after the first update.
      if (err.code !== 1) reject(err);
    });
  });
}

/** `env` adds WEFT_CP_* settings to the local defaults. */
export async function startControlPlane(env: Record<string, string> = {}): Promise<RunningControlPlane> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-fuzz-cp-'));
  await writeFile(join(dir, 'services.yaml'), RESOURCES);
  let started: Awaited<ReturnType<typeof startChild>>;
  try {
    started = await startChild({
      name: 'control-plane',
      // The flag its container command passes too.
      args: ['--max-semi-space-size=8', MAIN],
      env: {
        WEFT_CP_BACKEND: 'local',
        WEFT_CP_RESOURCE_DIR: dir,
        WEFT_CP_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_CP_ADMIN_ADDR: '127.0.0.1:0',
        WEFT_CP_NAMESPACE: 'weft-system',
        WEFT_CP_TRUST_DOMAIN: 'cluster.local',
        ...env,
      },
      listening: /"grpc":"[^"]*:(\d+)","admin":"[^"]*:(\d+)"[\s\S]*"resources loaded"/,
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const { child, match } = started;
  const grpcPort = Number(match[1]);
  const adminPort = Number(match[2]);
  const client = new (loadDestinationApi().weft.destination.Destination)(
    `127.0.0.1:${grpcPort}`,
    credentials.createInsecure(),
  );
  const check = async () => {
    await resolveKnownService(client);
    const live = await fetch(`http://127.0.0.1:${adminPort}/live`);
    if (live.status !== 200) throw new Error(`/live answered ${live.status}`);
  };
  const authorities = [KNOWN_SERVICE, 'localhost', 'fuzz.invalid:80'];
  return {
    child,
    grpcPort,
    adminPort,
    targets: () => [
      {
        name: 'control-plane-grpc',
        child,
        endpoint: { port: grpcPort },
        profile: {
          authorities,
          paths: [
            '/weft.destination.Destination/Get',
            '/weft.destination.Destination/GetProfile',
            '/weft.policy.InboundServerPolicies/WatchPort',
            '/weft.registration.Registration/Register',
            // No such method: grpc-js answers it before any handler runs.
            '/weft.fuzz.Fuzz/Call',
          ],
        },
        check,
      },
      {
        name: 'control-plane-admin',
        child,
        endpoint: { port: adminPort },
        profile: { authorities, paths: ['/metrics', '/ready', '/live', '/'] },
        check,
      },
    ],
    async stop() {
      client.close();
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
