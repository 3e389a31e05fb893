import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startViz, type VizServer } from './server.ts';
import { runCli } from './testing/run-cli.ts';

// Per-route figures from the route_* families. The proxy does not emit them
// yet, so an admin server serves them here in Linkerd's format (labels
// direction, dst, rt_route), counting up on each scrape.

let viz: VizServer;
let admin: Server;
let scrapes = 0;

function routeSeries(
  route: string,
  status: number,
  perScrape: number,
  at: { direction?: string; dst?: string; family?: string } = {},
): string {
  const { direction = 'inbound', dst = 'web-svc.emojivoto.svc.cluster.local:80', family = 'route_' } = at;
  const labels = `direction="${direction}",dst="${dst}",rt_route="${route}"`;
  const cls = status >= 500 ? 'failure' : 'success';
  const n = perScrape * scrapes;
  return [
    `${family}response_total{${labels},status_code="${status}",classification="${cls}"} ${n}`,
    `${family}response_latency_ms_bucket{${labels},status_code="${status}",classification="${cls}",le="10"} ${n}`,
    `${family}response_latency_ms_bucket{${labels},status_code="${status}",classification="${cls}",le="+Inf"} ${n}`,
  ].join('\n');
}

function stale(route: string): string {
  const labels = `direction="inbound",dst="web-svc.emojivoto.svc.cluster.local:80",rt_route="${route}",status_code="200",classification="success"`;
  return [
    `route_response_total{${labels}} 7`,
    `route_response_latency_ms_bucket{${labels},le="10"} 7`,
    `route_response_latency_ms_bucket{${labels},le="+Inf"} 7`,
  ].join('\n');
}

// web calling emoji-svc with retries: 4 answers seen (1 failed) out of 6 attempts (3 failed).
const EMOJI = 'emoji-svc.emojivoto.svc.cluster.local:8080';
const outbound = () => [
  routeSeries('FindByShortcode', 200, 3, { direction: 'outbound', dst: EMOJI }),
  routeSeries('FindByShortcode', 500, 1, { direction: 'outbound', dst: EMOJI }),
  routeSeries('FindByShortcode', 200, 3, { direction: 'outbound', dst: EMOJI, family: 'route_actual_' }),
  routeSeries('FindByShortcode', 500, 3, { direction: 'outbound', dst: EMOJI, family: 'route_actual_' }),
  routeSeries('Vote', 200, 5, { direction: 'outbound', dst: 'voting-svc.emojivoto.svc.cluster.local:8080' }),
];

beforeAll(async () => {
  admin = createServer((_req, res) => {
    scrapes++;
    res.end(
      `${[
        routeSeries('GET /api/list', 200, 10),
        routeSeries('POST /api/vote', 200, 3),
        routeSeries('POST /api/vote', 500, 1),
        routeSeries('', 200, 2),
        // A route of a profile since deleted: its counters stay, and never grow again.
        stale('GET /api/gone'),
        ...outbound(),
      ].join('\n')}\n`,
    );
  });
  admin.listen(0, '127.0.0.1');
  await once(admin, 'listening');
  viz = await startViz({ recorder: { intervalMs: 60_000 } });
  viz.registerWorkload({
    namespace: 'emojivoto',
    deployment: 'web',
    pod: 'web-0',
    services: ['web-svc'],
    serviceAccount: 'web',
    identity: 'web.emojivoto.serviceaccount.identity.weft.cluster.local',
    adminAddr: `127.0.0.1:${(admin.address() as AddressInfo).port}`,
    inboundAddr: '127.0.0.1:1',
  });
  await viz.scrapeNow();
  await new Promise((r) => setTimeout(r, 20));
  await viz.scrapeNow();
});

afterAll(async () => {
  await viz.close();
  admin.close();
});

describe('weft routes (route families)', () => {
  it('shows each route and the unmatched traffic as [DEFAULT]', async () => {
    const env = { WEFT_API_ADDR: viz.address };
    const json = JSON.parse((await runCli(['routes', '-n', 'emojivoto', 'deploy/web', '-o', 'json'], env)).stdout);
    const byRoute = Object.fromEntries(json.map((r: { route: string }) => [r.route, r]));
    // GET /api/gone served nothing in the window: a route of a deleted profile leaves no row.
    expect(Object.keys(byRoute)).toEqual(['GET /api/list', 'POST /api/vote', '[DEFAULT]']);
    expect(byRoute['POST /api/vote']).toMatchObject({ authority: 'web-svc', success: 0.75 });
    expect(byRoute['GET /api/list'].success).toBe(1);
    const table = await runCli(['routes', '-n', 'emojivoto', 'deploy/web'], env);
    expect(table.stdout).toMatch(/\nPOST \/api\/vote\s+web-svc\s+75\.00%\s+\d+\.\drps\s+5ms\s+10ms\s+10ms\n/);
  });

  it('lists the same routes in `weft stat rt`', async () => {
    const env = { WEFT_API_ADDR: viz.address };
    const rows = JSON.parse((await runCli(['stat', '-n', 'emojivoto', 'rt', '-o', 'json'], env)).stdout);
    expect(rows.map((r: { name: string; success: number }) => [r.name, r.success])).toEqual([
      ['GET /api/list', 1],
      ['POST /api/vote', 0.75],
      ['[DEFAULT]', 1],
    ]);
    const table = await runCli(['stat', '-n', 'emojivoto', 'rt'], env);
    expect(table.stdout.split('\n')[0]?.split(/\s+/)).toEqual([
      'ROUTE',
      'SUCCESS',
      'RPS',
      'LATENCY_P50',
      'LATENCY_P95',
      'LATENCY_P99',
    ]);
  });

  it('shows effective and actual success of the routes called on one service with --to', async () => {
    const env = { WEFT_API_ADDR: viz.address };
    const wide = await runCli(['routes', '-n', 'emojivoto', 'deploy/web', '--to', 'svc/emoji-svc', '-o', 'wide'], env);
    const [header, row, ...rest] = wide.stdout.trimEnd().split('\n');
    expect(header?.split(/\s+/)).toEqual([
      'ROUTE',
      'SERVICE',
      'EFFECTIVE_SUCCESS',
      'EFFECTIVE_RPS',
      'ACTUAL_SUCCESS',
      'ACTUAL_RPS',
      'LATENCY_P50',
      'LATENCY_P95',
      'LATENCY_P99',
    ]);
    expect(row).toMatch(/^FindByShortcode\s+emoji-svc\s+75\.00%\s+\S+rps\s+50\.00%\s+\S+rps\s+5ms\s+10ms\s+10ms$/);
    expect(rest).toEqual([]);
    const json = JSON.parse(
      (await runCli(['routes', '-n', 'emojivoto', 'deploy/web', '--to', 'svc/emoji-svc', '-o', 'json'], env)).stdout,
    );
    expect(json[0]).toMatchObject({ route: 'FindByShortcode', success: 0.75, actual_success: 0.5 });
    // JSON rates are rounded to three decimals.
    expect(json[0].actual_rps / json[0].rps).toBeCloseTo(1.5, 3);
  });
});
