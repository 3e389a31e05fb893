import type { MetricsRegistry } from '../metrics/registry.ts';
import type { CertificateSource } from '../tls/certificate-source.ts';

// The proxy-side series, with the names Linkerd's proxy exports today, so
// dashboards and alerts written for Linkerd read them unchanged.
export const CLIENT_METRICS = {
  expiration: 'control_identity_cert_expiration_timestamp_seconds',
  refreshTimestamp: 'control_identity_cert_refresh_timestamp_seconds',
  refreshes: 'control_identity_cert_refreshes_total',
} as const;

export interface ClientMetrics {
  refreshed(result: 'ok' | 'failure', nowMs: number): void;
}

export function registerClientMetrics(registry: MetricsRegistry, source: CertificateSource): ClientMetrics {
  registry.collectedGauge(
    CLIENT_METRICS.expiration,
    'Time when the current identity certificate expires (seconds since the epoch).',
    () => {
      const current = source.current;
      return current ? [{ value: current.expiresAt.getTime() / 1000 }] : [];
    },
  );
  const refreshedAt = registry.gauge(
    CLIENT_METRICS.refreshTimestamp,
    'Time of the last successful certificate refresh.',
  );
  const refreshes = registry.counter(CLIENT_METRICS.refreshes, 'Certificate refresh attempts by result.');
  return {
    refreshed: (result, nowMs) => {
      refreshes.inc({ result });
      if (result === 'ok') refreshedAt.set(nowMs / 1000);
    },
  };
}
