import type { AddressInfo } from 'node:net';
import {
  type CertificateSource,
  createMeshCa,
  identityName,
  issueWorkloadCertificate,
  type MeshCa,
  staticCertificateSource,
} from '@weft/identity';
import { readConfig } from '../../src/app/env.ts';
import { Sidecar, type SidecarAddresses } from '../../src/app/proxy.ts';
import type { PolicySource } from '../../src/policy/client.ts';
import { DestinationResolver } from '../../src/resolve/destination.ts';
import { TestDestination } from './destination-server.ts';

// A proxy pair on loopback: client → outbound (identity "web") → mTLS →
// inbound (identity "emoji") → the test's backend, with a real destination
// server naming the inbound as the service's only endpoint.

const DOMAIN = { trustDomain: 'cluster.local', controlPlaneNamespace: 'weft-system' };

export const SERVICE = 'emoji-svc.emojivoto.svc.cluster.local:8080';

export function workload(ca: MeshCa, sa: string): CertificateSource {
  return staticCertificateSource(issueWorkloadCertificate(ca.issuer, identityName(sa, 'emojivoto', DOMAIN)));
}

export function proxyConfig(env: Record<string, string>) {
  return readConfig((name) =>
    name in env
      ? env[name]
      : (
          {
            WEFT_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
            WEFT_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
            WEFT_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
            WEFT_PROXY_SHUTDOWN_GRACE_PERIOD: '2s',
          } as Record<string, string>
        )[name],
  );
}

export interface Mesh {
  readonly ca: MeshCa;
  readonly destination: TestDestination;
  readonly client: Sidecar;
  readonly server: Sidecar;
  readonly serverIdentity: string;
  readonly clientIdentity: string;
  /** The per-upstream listener of SERVICE on the client-side proxy. */
  readonly upstreamPort: number;
  readonly outboundPort: number;
  readonly inboundPort: number;
  close(): Promise<void>;
}

/** A lone sidecar whose discovery is `destination` (or anything on its port), for tests of the outbound side. */
export async function startSidecar(
  destination: Pick<TestDestination, 'port'>,
  env: Record<string, string>,
  identity?: CertificateSource,
): Promise<{ sidecar: Sidecar; addresses: SidecarAddresses; close: () => Promise<void> }> {
  const resolver = new DestinationResolver({
    addr: `127.0.0.1:${destination.port}`,
    scheme: 'local',
    contextToken: '',
  });
  const sidecar = new Sidecar({ config: proxyConfig(env), identity, resolver });
  const addresses = await sidecar.start();
  return {
    sidecar,
    addresses,
    close: async () => {
      await sidecar.shutdown(200);
      resolver.close();
    },
  };
}

export async function startMesh(
  appPort: number,
  extraEnv: Record<string, string> = {},
  serverPolicy?: PolicySource,
): Promise<Mesh> {
  const ca = createMeshCa();
  const serverId = workload(ca, 'emoji');
  const clientId = workload(ca, 'web');
  const destination = new TestDestination();
  await destination.start();
  const server = new Sidecar({
    config: proxyConfig({ WEFT_PROXY_INBOUND_FORWARD_ADDR: `127.0.0.1:${appPort}`, ...extraEnv }),
    identity: serverId,
    resolver: new DestinationResolver({ addr: `127.0.0.1:${destination.port}`, scheme: 'local', contextToken: '' }),
    policy: serverPolicy,
  });
  const serverAddrs = await server.start();
  destination.set(SERVICE, [
    { ip: '127.0.0.1', port: serverAddrs.inbound.port, identity: serverId.identity, labels: { pod: 'emoji-0' } },
  ]);
  const resolver = new DestinationResolver({
    addr: `127.0.0.1:${destination.port}`,
    scheme: 'local',
    contextToken: '',
  });
  const client = new Sidecar({
    config: proxyConfig({ WEFT_PROXY_OUTBOUND_UPSTREAMS: `${SERVICE}=127.0.0.1:0`, ...extraEnv }),
    identity: clientId,
    resolver,
  });
  const clientAddrs = await client.start();
  return {
    ca,
    destination,
    client,
    server,
    serverIdentity: serverId.identity,
    clientIdentity: clientId.identity,
    upstreamPort: (clientAddrs.upstreams.get(SERVICE) as AddressInfo).port,
    outboundPort: clientAddrs.outbound.port,
    inboundPort: serverAddrs.inbound.port,
    async close() {
      await Promise.all([client.shutdown(200), server.shutdown(200)]);
      resolver.close();
      destination.stop();
    },
  };
}
