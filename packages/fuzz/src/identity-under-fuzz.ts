import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLocalTokenKey,
  createMeshCa,
  IdentityClient,
  type IdentityDomain,
  identityName,
  identityServiceName,
  type MeshCa,
  mintLocalToken,
  silentLogger,
} from '@weft/identity';
import { type Child, startChild } from './child.ts';
import type { Target } from './runner.ts';

// The identity service as `weft dev` runs it: local tokens, an issuer
// directory written the way `weft identity create` writes it.

const MAIN = new URL('../../identity/src/main.ts', import.meta.url).pathname;

export const DOMAIN: IdentityDomain = { trustDomain: 'cluster.local', controlPlaneNamespace: 'weft-system' };

export interface RunningIdentity {
  readonly child: Child;
  readonly ca: MeshCa;
  readonly grpcPort: number;
  readonly adminPort: number;
  readonly serviceName: string;
  /** Writes a token file for `<sa>.<ns>` (default namespace: fuzz) and returns its path and identity. */
  tokenFile(serviceAccount: string, namespace?: string): Promise<{ file: string; identity: string }>;
  /** A real Certify for a fresh workload: resolves once a certificate was issued. */
  certify(): Promise<void>;
  targets(): Target[];
  stop(): Promise<void>;
}

export async function startIdentity(): Promise<RunningIdentity> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-fuzz-identity-'));
  const ca = createMeshCa({ domain: DOMAIN });
  const key = createLocalTokenKey();
  await writeFile(join(dir, 'ca.crt'), ca.trustAnchor.certPem);
  await writeFile(join(dir, 'issuer.crt'), ca.issuerCertificate.certPem);
  await writeFile(join(dir, 'issuer.key'), ca.issuerCertificate.keyPem, { mode: 0o600 });
  await writeFile(join(dir, 'token.key'), key.toString('hex'), { mode: 0o600 });
  let started: Awaited<ReturnType<typeof startChild>>;
  try {
    started = await startChild({
      name: 'identity',
      args: [MAIN],
      env: {
        WEFT_IDENTITY_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_IDENTITY_ADMIN_ADDR: '127.0.0.1:0',
        WEFT_IDENTITY_ISSUER_DIR: dir,
        WEFT_IDENTITY_TRUST_DOMAIN: DOMAIN.trustDomain,
        WEFT_IDENTITY_CONTROL_PLANE_NAMESPACE: DOMAIN.controlPlaneNamespace,
        WEFT_IDENTITY_TOKEN_MODE: 'local',
        WEFT_IDENTITY_LOCAL_TOKEN_KEY_FILE: join(dir, 'token.key'),
      },
      listening:
        /msg="identity service listening".* address=[\d.]+:(\d+)[\s\S]*msg="admin server listening".* port=(\d+)/,
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const { child, match } = started;
  const grpcPort = Number(match[1]);
  const adminPort = Number(match[2]);
  const serviceName = identityServiceName(DOMAIN);
  let workloads = 0;

  const certify = async () => {
    const identity = identityName(`fuzz-${workloads++}`, 'fuzz', DOMAIN);
    const client = new IdentityClient({
      address: `127.0.0.1:${grpcPort}`,
      identity,
      token: () => mintLocalToken({ identity, key }),
      trustAnchorsPem: ca.trustAnchorsPem,
      serverIdentity: serviceName,
      logger: silentLogger,
    }).start();
    try {
      await client.ready();
    } finally {
      client.close();
    }
  };

  return {
    child,
    ca,
    grpcPort,
    adminPort,
    serviceName,
    async tokenFile(serviceAccount, namespace = 'fuzz') {
      const identity = identityName(serviceAccount, namespace, DOMAIN);
      const file = join(dir, `${serviceAccount}.${namespace}.token`);
      await writeFile(file, mintLocalToken({ identity, key }), { mode: 0o600 });
      return { file, identity };
    },
    certify,
    targets: () => [
      {
        name: 'identity-grpc',
        child,
        // Server-authenticated TLS, as a proxy asking for its certificate dials it.
        endpoint: {
          port: grpcPort,
          tls: { ca: ca.trustAnchorsPem, servername: serviceName, ALPNProtocols: ['h2'], rejectUnauthorized: false },
        },
        profile: {
          authorities: [`127.0.0.1:${grpcPort}`, serviceName],
          paths: ['/weft.identity.Identity/Certify', '/'],
        },
        check: certify,
      },
      {
        name: 'identity-admin',
        child,
        endpoint: { port: adminPort },
        profile: { authorities: [`127.0.0.1:${adminPort}`, 'localhost'], paths: ['/metrics', '/ready', '/live', '/'] },
        check: async () => {
          await certify();
          const live = await fetch(`http://127.0.0.1:${adminPort}/live`);
          if (live.status !== 200) throw new Error(`/live answered ${live.status}`);
        },
      },
    ],
    async stop() {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
