import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { credentials } from '@grpc/grpc-js';
import { loadDestinationApi } from '@weft/api';
import type { DestinationClient } from '@weft/api/gen/weft/destination/Destination.ts';
import { checkPeerIdentity, identityName, issueWorkloadCertificate } from '@weft/identity';
import { type Child, startChild } from './child.ts';
import { DOMAIN, type RunningIdentity, startIdentity } from './identity-under-fuzz.ts';
import type { Target } from './runner.ts';
import { expectOk, waitFor } from './wait-for.ts';

// The control plane as `weft dev` runs it (local backend, a resource folder,
// gRPC over mTLS only with a certificate it gets from the identity service
// for its own identity), with one Service to resolve so that a liveness
// check is a real Get. Its identity service is started here too.

const MAIN = new URL('../../control-plane/src/main.ts', import.meta.url).pathname;

export const KNOWN_SERVICE = 'web-svc.fuzz.svc.cluster.local:80';

const RESOURCES = `apiVersion: v1
kind: Service
metadata: { name: web-svc, namespace: fuzz }
spec: { ports: [{ port: 80 }] }
`;

export interface RunningControlPlane {
  readonly child: Child;
  /** The identity service that certified it; stopped with it. */
  readonly identity: RunningIdentity;
  /** The identity its gRPC port proves, which proxies verify. */
  readonly name: string;
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
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
  };
  try {
    const identity = await startIdentity();
    stops.push(() => identity.stop());
    const dir = await mkdtemp(join(tmpdir(), 'weft-fuzz-cp-'));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'services.yaml'), RESOURCES);
    // The token `weft dev` mints for the control plane's ServiceAccount.
    const token = await identity.tokenFile('weft-destination', DOMAIN.controlPlaneNamespace);
    const started = await startChild({
      name: 'control-plane',
      // The flag its container command passes too.
      args: ['--max-semi-space-size=8', MAIN],
      env: {
        WEFT_CP_BACKEND: 'local',
        WEFT_CP_RESOURCE_DIR: dir,
        WEFT_CP_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_CP_ADMIN_ADDR: '127.0.0.1:0',
        WEFT_CP_NAMESPACE: DOMAIN.controlPlaneNamespace,
        WEFT_CP_TRUST_DOMAIN: DOMAIN.trustDomain,
        WEFT_CP_IDENTITY_LOCAL_NAME: token.identity,
        WEFT_CP_IDENTITY_TRUST_ANCHORS: identity.ca.trustAnchorsPem,
        WEFT_CP_IDENTITY_SVC_ADDR: `127.0.0.1:${identity.grpcPort}`,
        WEFT_CP_IDENTITY_SVC_NAME: identity.serviceName,
        WEFT_CP_IDENTITY_TOKEN_FILE: token.file,
        ...env,
      },
      listening: /"grpc":"[^"]*:(\d+)","admin":"[^"]*:(\d+)"/,
    });
    const { child, match } = started;
    stops.push(() => child.stop());
    const grpcPort = Number(match[1]);
    const adminPort = Number(match[2]);
    // Ready once its resources are loaded and its certificate arrived.
    await waitFor(() => expectOk(`http://127.0.0.1:${adminPort}/ready`));

    // A meshed workload's certificate: what a proxy, or a compromised workload, dials with.
    const workload = issueWorkloadCertificate(identity.ca.issuer, identityName('web', 'fuzz', DOMAIN));
    const client = new (loadDestinationApi().weft.destination.Destination)(
      `127.0.0.1:${grpcPort}`,
      credentials.createSsl(
        Buffer.from(identity.ca.trustAnchorsPem),
        Buffer.from(workload.keyPem),
        Buffer.from(workload.certChainPem),
        { checkServerIdentity: (_host, certificate) => checkPeerIdentity(certificate, token.identity) },
      ),
      { 'grpc.ssl_target_name_override': token.identity, 'grpc.default_authority': token.identity },
    );
    stops.push(async () => client.close());
    const check = async () => {
      await resolveKnownService(client);
      await expectOk(`http://127.0.0.1:${adminPort}/live`);
    };
    // HTTP cases go inside a session this certificate opens, so they reach the
    // gRPC handlers; TLS records and raw bytes go bare, from no one.
    const mtls: ConnectionOptions = {
      cert: workload.certChainPem,
      key: workload.keyPem,
      ca: identity.ca.trustAnchorsPem,
      servername: token.identity,
      ALPNProtocols: ['h2'],
      rejectUnauthorized: false,
    };
    const authorities = [KNOWN_SERVICE, token.identity, 'localhost', 'fuzz.invalid:80'];
    return {
      child,
      identity,
      name: token.identity,
      grpcPort,
      adminPort,
      targets: () => [
        {
          name: 'control-plane-grpc',
          child,
          endpoint: { port: grpcPort, tls: mtls },
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
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
