import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusSource } from '../metrics/prometheus-source.ts';
import { type ObservedMesh, startObservedMesh } from './testing/observed-mesh.ts';
import { type RunningPrometheus, startPrometheus } from './testing/prometheus.ts';
import { runCli } from './testing/run-cli.ts';

// A real Prometheus with the shipped deploy/local/prometheus.yml, fed by the
// viz server's file_sd targets, scraping the same proxies as the recorder:
// `weft stat --prometheus` must read the same figures as `weft stat`.

let m: ObservedMesh;
let prom: RunningPrometheus;
let windowArg = '';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  m = await startObservedMesh({ recorder: { intervalMs: 1000 } });
  prom = await startPrometheus(m.dir, '1s');
  const source = new PrometheusSource(prom.url);
  for (let i = 0; (await source.pods()).filter((p) => p.up).length < 2; i++) {
    if (i > 60) throw new Error('Prometheus did not scrape both proxies within 15 s');
    await sleep(250);
  }
  // Every series exists (and is scraped twice) before the measured window.
  await m.send('/ok', 3);
  await m.send('/boom', 1);
  await sleep(2500);
  const start = Date.now();
  // Steady traffic for 4 s: three successes, then one failure.
  while (Date.now() - start < 4000) {
    await m.send('/ok', 3);
    await m.send('/boom', 1);
    await sleep(40);
  }
  await sleep(2500);
  windowArg = `${Math.ceil((Date.now() - start) / 1000) + 1}s`;
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await m?.close();
});

type Row = { name: string; success: number; rps: number; latency_ms_p50: number; tcp_open_connections: number };

async function statJson(args: string[]): Promise<Row[]> {
  const { code, stdout, stderr } = await runCli(['stat', '-n', 'emojivoto', ...args, '-t', windowArg, '-o', 'json'], {
    WEFT_API_ADDR: m.viz.address,
  });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as Row[];
}

describe('weft stat --prometheus', () => {
  it('writes file_sd targets with the same labels the recorder attaches', async () => {
    const targets = JSON.parse(await readFile(m.viz.fileSdPath as string, 'utf8'));
    expect(targets).toContainEqual({
      targets: [m.emoji.adminAddr],
      labels: { namespace: 'emojivoto', deployment: 'emoji', pod: 'emoji-0' },
    });
  });

  it('reads the same success rate, rate, latency and connections as the recorder', async () => {
    const [recorded, queried] = await Promise.all([
      statJson(['deploy/emoji']),
      statJson(['deploy/emoji', '--prometheus', prom.url]),
    ]);
    const r = recorded[0] as Row;
    const p = queried[0] as Row;
    expect(r.success).toBeGreaterThan(0.72);
    expect(r.success).toBeLessThan(0.78);
    expect(Math.abs(p.success - r.success)).toBeLessThan(0.03);
    expect(p.rps / r.rps).toBeGreaterThan(0.85);
    expect(p.rps / r.rps).toBeLessThan(1.15);
    // Same buckets, same interpolation: the percentiles agree within a bucket's width.
    expect(Math.abs(p.latency_ms_p50 - r.latency_ms_p50)).toBeLessThanOrEqual(Math.max(1, r.latency_ms_p50 * 0.5));
    expect(p.tcp_open_connections).toBe(r.tcp_open_connections);
  });

  it('shows the same secured edge', async () => {
    const env = { WEFT_API_ADDR: m.viz.address };
    const args = ['edges', '-n', 'emojivoto', 'deploy', '-t', windowArg, '-o', 'json'];
    const recorded = JSON.parse((await runCli(args, env)).stdout);
    const queried = JSON.parse((await runCli([...args, '--prometheus', prom.url], env)).stdout);
    expect(queried).toEqual(recorded);
    expect(queried[0]).toMatchObject({ src: 'web', dst: 'emoji', secured: true, server_id: m.mesh.serverIdentity });
  });

  it('reads the same routes and top traffic', async () => {
    const env = { WEFT_API_ADDR: m.viz.address };
    const both = async (args: string[]) => {
      const recorded = JSON.parse((await runCli([...args, '-t', windowArg, '-o', 'json'], env)).stdout);
      const queried = JSON.parse(
        (await runCli([...args, '-t', windowArg, '-o', 'json', '--prometheus', prom.url], env)).stdout,
      );
      return [recorded[0], queried[0]];
    };
    const [route, promRoute] = await both(['routes', '-n', 'emojivoto', 'deploy/emoji']);
    expect(promRoute.route).toBe('[DEFAULT]');
    expect(Math.abs(promRoute.success - route.success)).toBeLessThan(0.03);
    const [top, promTop] = await both(['top', '-n', 'emojivoto']);
    expect(promTop).toMatchObject({ source: 'deploy/web', destination: 'deploy/emoji', path: top.path });
    expect(Math.abs(promTop.golden.successRate - top.golden.successRate)).toBeLessThan(0.03);
  });

  it('gives the dashboard the figures weft stat --prometheus prints (?prometheus=URL)', async () => {
    const query = `resource=deploy/emoji&namespace=emojivoto&window=${windowArg}&prometheus=${encodeURIComponent(prom.url)}`;
    const res = await fetch(`${m.viz.address}/api/v1/stat?${query}`);
    expect(res.status).toBe(200);
    const shown = ((await res.json()) as { rows: Row[] }).rows[0] as Row;
    const printed = (await statJson(['deploy/emoji', '--prometheus', prom.url]))[0] as Row;
    // The same queries a moment later: only Prometheus's extrapolation at the window's edges, which
    // differs a little per series, moves the figures.
    expect(shown.success).toBeCloseTo(printed.success, 3);
    expect(shown.rps / printed.rps).toBeGreaterThan(0.95);
    expect(shown.rps / printed.rps).toBeLessThan(1.05);
    expect(shown.tcp_open_connections).toBe(printed.tcp_open_connections);
  });

  it('says so when Prometheus is unreachable', async () => {
    const { code, stderr } = await runCli(['stat', 'deploy', '--prometheus', 'http://127.0.0.1:1'], {});
    expect(code).toBe(1);
    expect(stderr).toMatch(/Prometheus at http:\/\/127\.0\.0\.1:1 is unreachable.*WEFT_CLI_PROMETHEUS/);
  });
});
