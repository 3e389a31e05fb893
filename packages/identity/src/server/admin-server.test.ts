import { promtoolProblems } from '@weft/api/testing/promtool';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../metrics/registry.ts';
import { type AdminServer, startAdminServer } from './admin-server.ts';

describe('admin server', () => {
  let ready = false;
  let admin: AdminServer;
  const registry = new MetricsRegistry();
  const requests = registry.counter('identity_certify_requests_total', 'Certify requests by result.');
  registry.collectedGauge('issuer_cert_ttl_seconds', 'Seconds until the issuer expires.', () => [{ value: 3600 }]);
  const url = (path: string) => `http://127.0.0.1:${admin.port}${path}`;

  beforeAll(async () => {
    admin = await startAdminServer({ listen: '127.0.0.1:0', metrics: () => registry.render(), ready: () => ready });
  });
  afterAll(() => admin.close());

  it('answers /ready with 503 until the service can sign, then 200; /live always 200', async () => {
    expect((await fetch(url('/ready'))).status).toBe(503);
    ready = true;
    const res = await fetch(url('/ready'));
    expect([res.status, await res.text()]).toEqual([200, 'ready\n']);
    expect((await fetch(url('/live'))).status).toBe(200);
    expect((await fetch(url('/nope'))).status).toBe(404);
    expect((await fetch(url('/metrics'), { method: 'POST' })).status).toBe(405);
  });

  it('serves metrics that promtool accepts, with label values escaped', async () => {
    requests.inc({ result: 'ok' }, 3);
    requests.inc({ result: 'say "hi"\n' });
    const res = await fetch(url('/metrics'));
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('identity_certify_requests_total{result="ok"} 3\n');
    expect(text).toContain('identity_certify_requests_total{result="say \\"hi\\"\\n"} 1\n');
    expect(text).toContain('issuer_cert_ttl_seconds 3600\n');
    expect(await promtoolProblems(text)).toEqual([]);
  });
});
