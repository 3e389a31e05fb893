import type { IssuerProvider } from '../ca/issuer-source.ts';
import type { MetricsRegistry } from '../metrics/registry.ts';

export const SERVER_METRICS = {
  certify: 'identity_certify_requests_total',
  issuerExpiration: 'identity_issuer_expiration_timestamp_seconds',
  issuerTtl: 'issuer_cert_ttl_seconds',
} as const;

export interface ServerMetrics {
  certified(result: string): void;
}

export function registerServerMetrics(
  registry: MetricsRegistry,
  issuers: IssuerProvider,
  now: () => number,
): ServerMetrics {
  const certify = registry.counter(
    SERVER_METRICS.certify,
    'Certify requests by result: ok, or the gRPC status of the refusal.',
  );
  const expiry = () => issuers.current?.notAfter.getTime();
  registry.collectedGauge(SERVER_METRICS.issuerExpiration, 'Time when the issuer certificate chain expires.', () => {
    const at = expiry();
    return at === undefined ? [] : [{ value: at / 1000 }];
  });
  registry.collectedGauge(SERVER_METRICS.issuerTtl, 'Seconds until the issuer certificate chain expires.', () => {
    const at = expiry();
    return at === undefined ? [] : [{ value: Math.floor((at - now()) / 1000) }];
  });
  return { certified: (result) => certify.inc({ result }) };
}
