import type { SecureServerOptions } from 'node:http2';
import type { SecureContextOptions } from 'node:tls';
import { ServerCredentials } from '@grpc/grpc-js';
import type { Issuer } from '../ca/issuer.ts';
import type { IssuerProvider } from '../ca/issuer-source.ts';
import { generateP256KeyPair, privateKeyPem, spkiDer } from '../ca/keys.ts';
import { type IdentityDomain, identityName } from '../ca/names.ts';
import { toPem } from '../ca/pem.ts';
import { DEFAULT_REFRESH_POLICY, renewalDelay } from '../client/refresh-policy.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';

// The identity service's own TLS certificate. Proxies reach identity before
// they hold a certificate, so they authenticate it by name against the trust
// anchors: the service signs itself a leaf for its ServiceAccount's identity
// with the issuer it holds, and re-signs on every issuer change and at 70 %
// of the leaf's life.

export const IDENTITY_SERVICE_ACCOUNT = 'weft-identity';

/** The name proxies expect on the identity service: `weft-identity.<ns>.serviceaccount.identity.<ns>.<td>`. */
export const identityServiceName = (domain: IdentityDomain): string =>
  identityName(IDENTITY_SERVICE_ACCOUNT, domain.controlPlaneNamespace, domain);

/**
 * grpc-js server credentials whose certificate can be swapped under a running
 * server. `serverOptions` are fixed for the server's life (a server that
 * requires client certificates passes requestCert and rejectUnauthorized).
 */
export class RotatingServerCredentials extends ServerCredentials {
  constructor(serverOptions: SecureServerOptions = {}) {
    // Nothing to serve until the first certificate: grpc-js drops connections meanwhile.
    super({ ...serverOptions, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }, undefined);
  }

  update(options: SecureContextOptions): void {
    this.updateSecureContextOptions(options);
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

export interface SelfCertificateOptions {
  readonly issuers: IssuerProvider;
  readonly domain: IdentityDomain;
  readonly lifetimeMs: number;
  readonly clockSkewMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Keeps `credentials` on a fresh self-issued leaf; returns the function that stops it. */
export function maintainSelfCertificate(
  credentials: RotatingServerCredentials,
  options: SelfCertificateOptions,
): () => void {
  const name = identityServiceName(options.domain);
  const { privateKey } = generateP256KeyPair();
  const keyPem = privateKeyPem(privateKey);
  const spki = spkiDer(privateKey);
  let timer: TimerHandle | undefined;

  const renew = (issuer: Issuer | undefined): void => {
    if (timer !== undefined) options.clock.clearTimeout(timer);
    timer = undefined;
    if (!issuer) return;
    const now = options.clock.now();
    const leaf = issuer.issue({ identity: name, subjectPublicKeyInfo: spki, ...options, now });
    credentials.update({
      key: keyPem,
      cert: [leaf.leafDer, ...leaf.intermediatesDer].map((der) => toPem(der, 'CERTIFICATE')).join(''),
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
    });
    options.logger.log('info', 'serving with self-issued certificate', {
      identity: name,
      expiry: leaf.notAfter.toISOString(),
    });
    const delay = renewalDelay(leaf.notAfter.getTime(), now, DEFAULT_REFRESH_POLICY);
    timer = options.clock.setTimeout(() => renew(options.issuers.current), delay);
  };

  renew(options.issuers.current);
  const unsubscribe = options.issuers.onChange(renew);
  return () => {
    unsubscribe();
    if (timer !== undefined) options.clock.clearTimeout(timer);
  };
}
