import { type ChannelCredentials, credentials, type ServiceError, status } from '@grpc/grpc-js';
import { loadIdentityApi } from '@weft/api';
import type { CertifyRequest } from '@weft/api/gen/weft/identity/CertifyRequest.ts';
import type { CertifyResponse__Output } from '@weft/api/gen/weft/identity/CertifyResponse.ts';
import type { IdentityClient as IdentityGrpcClient } from '@weft/api/gen/weft/identity/Identity.ts';
import { checkPeerIdentity } from '../tls/peer-identity.ts';

// The Certify call as a promise over a TLS channel that trusts only the mesh's
// anchors and only the identity service's own name.

export interface CertifyChannelOptions {
  /** host:port of the identity service. */
  readonly address: string;
  readonly trustAnchorsPem: string;
  /** The identity name on the identity service's certificate (also sent as SNI). */
  readonly serverIdentity: string;
}

export interface CertifyChannel {
  certify(request: CertifyRequest, timeoutMs: number): Promise<CertifyResponse__Output>;
  close(): void;
}

export function identityChannelCredentials(trustAnchorsPem: string, serverIdentity: string): ChannelCredentials {
  return credentials.createSsl(Buffer.from(trustAnchorsPem), null, null, {
    checkServerIdentity: (_host, certificate) => checkPeerIdentity(certificate, serverIdentity),
  });
}

export function openCertifyChannel(options: CertifyChannelOptions): CertifyChannel {
  const Identity = loadIdentityApi().weft.identity.Identity;
  const client = new Identity(
    options.address,
    identityChannelCredentials(options.trustAnchorsPem, options.serverIdentity),
    {
      'grpc.ssl_target_name_override': options.serverIdentity,
      'grpc.default_authority': options.serverIdentity,
    },
  ) as unknown as IdentityGrpcClient;
  return {
    certify: (request, timeoutMs) =>
      new Promise((resolve, reject) => {
        client.certify(request, { deadline: Date.now() + timeoutMs }, (err, response) => {
          if (err) reject(err);
          else if (!response) reject(Object.assign(new Error('empty Certify response'), { code: status.INTERNAL }));
          else resolve(response);
        });
      }),
    close: () => client.close(),
  };
}

/** A short description of a failed call for logs: `UNAVAILABLE: connect ECONNREFUSED …`. */
export function describeCallError(err: unknown): string {
  const e = err as Partial<ServiceError>;
  if (typeof e.code === 'number') return `${status[e.code] ?? e.code}: ${e.details ?? e.message}`;
  return (err as Error).message ?? String(err);
}
