#!/usr/bin/env node
// The identity service as a process: the local runner and the Kubernetes
// manifests start this file with WEFT_IDENTITY_* set (see docs/identity.md).
import { IssuerDirectory } from './ca/issuer-source.ts';
import { type IdentityConfig, parseConfig } from './config.ts';
import { type Logger, streamLogger } from './log.ts';
import { MetricsRegistry } from './metrics/registry.ts';
import { startAdminServer } from './server/admin-server.ts';
import { startIdentityServer } from './server/identity-server.ts';
import { localTokenValidator, readLocalTokenKey } from './tokens/local-token.ts';
import { inClusterTokenReviewOptions, tokenReviewValidator } from './tokens/token-review.ts';
import type { TokenValidator } from './tokens/token-validator.ts';

async function tokenValidator(
  config: IdentityConfig,
  env: (name: string) => string | undefined,
): Promise<TokenValidator> {
  if (config.tokenMode === 'local')
    return localTokenValidator(await readLocalTokenKey(config.localTokenKeyFile as string));
  return tokenReviewValidator({
    ...(await inClusterTokenReviewOptions(env, config.domain)),
    audience: config.tokenAudience,
  });
}

export async function run(env: (name: string) => string | undefined, logger: Logger): Promise<() => Promise<void>> {
  const config = parseConfig(env);
  const issuers = new IssuerDirectory({
    dir: config.issuerDir,
    certFile: config.issuerCertFile,
    keyFile: config.issuerKeyFile,
    trustAnchorsFile: config.trustAnchorsFile,
    logger,
  });
  // Without a valid issuer the service still starts: Certify answers
  // UNAVAILABLE and /ready says 503 until one appears in the directory.
  await issuers.load();
  issuers.watch();
  const metrics = new MetricsRegistry();
  const server = await startIdentityServer({
    listen: config.listen,
    issuers,
    tokens: await tokenValidator(config, env),
    domain: config.domain,
    lifetimeMs: config.lifetimeMs,
    clockSkewMs: config.clockSkewMs,
    logger,
    metrics,
  });
  const admin = await startAdminServer({
    listen: config.adminListen,
    metrics: () => metrics.render(),
    ready: () => issuers.current !== undefined,
  });
  logger.log('info', 'admin server listening', { port: admin.port });
  return async () => {
    issuers.close();
    await Promise.all([server.close(), admin.close()]);
  };
}

if (import.meta.main) {
  const logger = streamLogger(process.stderr, 'identity');
  try {
    const stop = await run((name) => process.env[name], logger);
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        logger.log('info', 'shutting down', { signal });
        void stop().then(() => process.exit(0));
      });
    }
  } catch (err) {
    logger.log('error', 'identity service failed to start', {
      error: (err as Error).message,
      code: (err as { code?: string }).code,
    });
    process.exit(1);
  }
}
