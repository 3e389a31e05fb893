import { Server, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import { ignoreStreamsClosedBeforeSeen, loadIdentityApi } from '@weft/api';
import type { CertifyRequest__Output } from '@weft/api/gen/weft/identity/CertifyRequest.ts';
import type { CertifyResponse } from '@weft/api/gen/weft/identity/CertifyResponse.ts';
import { DEFAULT_CLOCK_SKEW_MS, DEFAULT_LEAF_LIFETIME_MS } from '../ca/issuer.ts';
import type { IssuerProvider } from '../ca/issuer-source.ts';
import type { IdentityDomain } from '../ca/names.ts';
import { type Clock, systemClock } from '../clock.ts';
import { IdentityError } from '../errors.ts';
import { type Logger, streamLogger } from '../log.ts';
import { MetricsRegistry } from '../metrics/registry.ts';
import type { TokenValidator } from '../tokens/token-validator.ts';
import { certify } from './certify.ts';
import { identityServiceName, maintainSelfCertificate, RotatingServerCredentials } from './self-certificate.ts';
import { registerServerMetrics } from './server-metrics.ts';
import { statusForCode, statusLabel } from './status.ts';

// The Identity gRPC service: Certify over TLS 1.3, one log line per answer.

/** Larger requests are refused by grpc-js with RESOURCE_EXHAUSTED before any parsing. */
export const MAX_REQUEST_BYTES = 32 * 1024;

export interface IdentityServerOptions {
  /** host:port to listen on; port 0 picks a free one. */
  readonly listen: string;
  readonly issuers: IssuerProvider;
  readonly tokens: TokenValidator;
  readonly domain: IdentityDomain;
  readonly lifetimeMs?: number;
  readonly clockSkewMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly metrics?: MetricsRegistry;
}

export interface IdentityServer {
  /** host:port clients should dial (the bound port filled in). */
  readonly address: string;
  readonly port: number;
  /** The name on the service's certificate; clients pass it as `serverIdentity`. */
  readonly serverIdentity: string;
  readonly metrics: MetricsRegistry;
  close(): Promise<void>;
}

function bind(server: Server, address: string, credentials: RotatingServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (err, port) => (err ? reject(err) : resolve(port)));
  });
}

export async function startIdentityServer(options: IdentityServerOptions): Promise<IdentityServer> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? streamLogger();
  const metrics = options.metrics ?? new MetricsRegistry();
  const counters = registerServerMetrics(metrics, options.issuers, () => clock.now());
  const lifetimeMs = options.lifetimeMs ?? DEFAULT_LEAF_LIFETIME_MS;
  const clockSkewMs = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  const policy = { ...options, lifetimeMs, clockSkewMs, now: () => clock.now() };

  const handler = (
    call: ServerUnaryCall<CertifyRequest__Output, CertifyResponse>,
    callback: sendUnaryData<CertifyResponse>,
  ): void => {
    certify(call.request, policy).then(
      ({ response, leaf }) => {
        counters.certified('ok');
        logger.log('info', 'issued certificate', {
          identity: call.request.identity,
          expiry: leaf.notAfter.toISOString(),
        });
        callback(null, response);
      },
      (err: unknown) => {
        const code = statusForCode(err instanceof IdentityError ? err.code : undefined);
        counters.certified(statusLabel(code));
        logger.log(code === status.INTERNAL ? 'error' : 'warn', 'refused certify request', {
          status: status[code],
          code: err instanceof IdentityError ? err.code : undefined,
          identity: call.request.identity.slice(0, 256),
          peer: call.getPeer(),
          error: (err as Error).message,
        });
        // Internal failures are described in the log only.
        callback({ code, details: code === status.INTERNAL ? 'internal error' : (err as Error).message });
      },
    );
  };

  const server = new Server({
    'grpc.max_receive_message_length': MAX_REQUEST_BYTES,
    'grpc.max_send_message_length': 64 * 1024,
  });
  server.addService(loadIdentityApi().weft.identity.Identity.service, { Certify: handler });
  const credentials = new RotatingServerCredentials();
  const stopSelfCertificate = maintainSelfCertificate(credentials, {
    issuers: options.issuers,
    domain: options.domain,
    lifetimeMs,
    clockSkewMs,
    clock,
    logger,
  });
  const port = await bind(server, options.listen, credentials);
  ignoreStreamsClosedBeforeSeen(server);
  const host = options.listen.slice(0, options.listen.lastIndexOf(':'));
  const dialHost = host === '0.0.0.0' || host === '[::]' || host === '' ? '127.0.0.1' : host;
  logger.log('info', 'identity service listening', { address: `${host}:${port}`, tokens: options.tokens.kind });
  return {
    address: `${dialHost}:${port}`,
    port,
    serverIdentity: identityServiceName(options.domain),
    metrics,
    close: () =>
      new Promise((resolve) => {
        stopSelfCertificate();
        server.tryShutdown(() => resolve());
      }),
  };
}
