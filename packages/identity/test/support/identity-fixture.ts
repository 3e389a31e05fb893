import { createMeshCa, type MeshCa } from '../../src/ca/in-process.ts';
import { type IssuerProvider, staticIssuer } from '../../src/ca/issuer-source.ts';
import {
  DEFAULT_CONTROL_PLANE_NAMESPACE,
  DEFAULT_TRUST_DOMAIN,
  type IdentityDomain,
  identityName,
} from '../../src/ca/names.ts';
import { type CertifyChannel, openCertifyChannel } from '../../src/client/certify-rpc.ts';
import type { Clock } from '../../src/clock.ts';
import { type IdentityServer, startIdentityServer } from '../../src/server/identity-server.ts';
import { createLocalTokenKey, localTokenValidator, mintLocalToken } from '../../src/tokens/local-token.ts';
import { CaptureLogger } from './capture-logger.ts';

export const DOMAIN: IdentityDomain = {
  trustDomain: DEFAULT_TRUST_DOMAIN,
  controlPlaneNamespace: DEFAULT_CONTROL_PLANE_NAMESPACE,
};
export const WEB = identityName('web', 'emojivoto', DOMAIN);
export const EMOJI = identityName('emoji', 'emojivoto', DOMAIN);

/** A running identity service on loopback with local tokens, as the local runner starts it. */
export interface IdentityFixture {
  readonly ca: MeshCa;
  readonly server: IdentityServer;
  readonly logs: CaptureLogger;
  readonly tokenKey: Buffer;
  tokenFor(identity: string, ttlMs?: number): string;
  channel(): CertifyChannel;
  close(): Promise<void>;
}

export async function startIdentityFixture(
  options: {
    lifetimeMs?: number;
    issuers?: IssuerProvider;
    ca?: MeshCa;
    serverClock?: Clock;
    listen?: string;
    tokenKey?: Buffer;
  } = {},
): Promise<IdentityFixture> {
  const ca = options.ca ?? createMeshCa();
  const logs = new CaptureLogger();
  const tokenKey = options.tokenKey ?? createLocalTokenKey();
  const server = await startIdentityServer({
    listen: options.listen ?? '127.0.0.1:0',
    issuers: options.issuers ?? staticIssuer(ca.issuer),
    tokens: localTokenValidator(tokenKey),
    domain: DOMAIN,
    lifetimeMs: options.lifetimeMs,
    clock: options.serverClock,
    logger: logs,
  });
  const channels: CertifyChannel[] = [];
  return {
    ca,
    server,
    logs,
    tokenKey,
    tokenFor: (identity, ttlMs) => mintLocalToken({ identity, key: tokenKey, ttlMs }),
    channel: () => {
      const channel = openCertifyChannel({
        address: server.address,
        trustAnchorsPem: ca.trustAnchorsPem,
        serverIdentity: server.serverIdentity,
      });
      channels.push(channel);
      return channel;
    },
    close: async () => {
      for (const c of channels) c.close();
      await server.close();
    },
  };
}
