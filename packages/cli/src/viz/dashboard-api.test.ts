import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ObservedMesh, startObservedMesh } from './testing/observed-mesh.ts';
import { runCli } from './testing/run-cli.ts';

// The dashboard's endpoints answer what `weft stat`, `routes` and `edges`
// print with -o json, to the digit: a page never shows a figure the CLI does
// not. The recorder only scrapes when told to, so both read the same scrapes.

let m: ObservedMesh;
let assets: string;

beforeAll(async () => {
  assets = await mkdtemp(join(tmpdir(), 'weft-dashboard-assets-'));
  m = await startObservedMesh({ recorder: { intervalMs: 3_600_000 }, dashboardDir: assets });
  await m.send('/ok', 15);
  await m.send('/boom', 5);
  await m.viz.scrapeNow();
});

afterAll(async () => {
  await m?.close();
  if (assets) await rm(assets, { recursive: true, force: true });
});

const env = () => ({ WEFT_API_ADDR: m.viz.address });
const api = async (path: string) => {
  const res = await fetch(`${m.viz.address}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const cliJson = async (...args: string[]) => {
  const { code, stdout, stderr } = await runCli([...args, '-o', 'json'], env());
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as unknown;
};

describe('the dashboard API', () => {
  it('answers /api/v1/stat with the rows of weft stat -o json', async () => {
    const { status, body } = await api('/api/v1/stat?resource=deploy&namespace=emojivoto&window=1m');
    expect(status).toBe(200);
    expect(body.rows).toEqual(await cliJson('stat', '-n', 'emojivoto', 'deploy', '-t', '1m'));
    expect(body.rows).toContainEqual(expect.objectContaining({ name: 'emoji', success: 0.75 }));
  });

  it('answers the outbound view of stat (--from) as the CLI does', async () => {
    const { body } = await api('/api/v1/stat?resource=deploy&namespace=emojivoto&from=deploy/web');
    expect(body.rows).toEqual(await cliJson('stat', '-n', 'emojivoto', 'deploy', '--from', 'deploy/web'));
  });

  it('answers /api/v1/stat/series with weft stat at past moments: nothing before the traffic, the figures of now at the end', async () => {
    type Point = { at: number; rows: { name: string; success: number | null }[] };
    const { status, body } = await api(
      '/api/v1/stat/series?resource=deploy/emoji&namespace=emojivoto&range=2m&step=1m',
    );
    expect(status).toBe(200);
    const points = body.points as Point[];
    expect(points.map((p) => p.at - (points[0] as Point).at)).toEqual([0, 60_000, 120_000]);
    // Two minutes ago the mesh had not started: the deployment is known, its figures empty.
    expect(points[0]?.rows).toEqual([
      expect.objectContaining({ name: 'emoji', meshed: '1/1', success: null, rps: null }),
    ]);
    expect(points.at(-1)?.rows).toEqual(
      (await api('/api/v1/stat?resource=deploy/emoji&namespace=emojivoto')).body.rows,
    );
    expect(points.at(-1)?.rows[0]?.success).toBe(0.75);
    const tooMany = await api('/api/v1/stat/series?range=1h&step=1s');
    expect(tooMany).toMatchObject({ status: 400, body: { code: 'WEFT_CLI_USAGE' } });
  });

  it('answers /api/v1/routes and /api/v1/edges with the rows of weft routes and weft edges', async () => {
    const routes = await api('/api/v1/routes?namespace=emojivoto&deployment=emoji');
    expect(routes.body.rows).toEqual(await cliJson('routes', '-n', 'emojivoto', 'deploy/emoji'));
    const edges = await api('/api/v1/edges?namespace=emojivoto');
    expect(edges.body.rows).toEqual(await cliJson('edges', '-n', 'emojivoto', 'deploy'));
    expect(edges.body.rows).toContainEqual(expect.objectContaining({ src: 'web', dst: 'emoji', secured: true }));
  });

  it('answers /api/v1/top with the rows of weft top --once -o json', async () => {
    const { body } = await api('/api/v1/top?namespace=emojivoto&window=1m');
    expect(body.rows).toEqual(await cliJson('top', '-n', 'emojivoto', '-t', '1m', '--once'));
  });

  it('answers /api/v1/check with the categories of weft check -o json', async () => {
    const { status, body } = await api('/api/v1/check');
    expect(status).toBe(200);
    const { stdout } = await runCli(['check', '-o', 'json'], env());
    expect(body.categories).toEqual((JSON.parse(stdout) as { categories: unknown }).categories);
  });

  it('refuses bad input with the CLI message and code, and keeps serving', async () => {
    const bad = await api('/api/v1/stat?resource=teapot');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'WEFT_CLI_USAGE', error: expect.stringContaining('teapot') });
    const window = await api('/api/v1/stat?window=forever');
    expect(window).toMatchObject({ status: 400, body: { code: 'WEFT_CLI_USAGE' } });
    const notUrl = await api('/api/v1/stat?prometheus=file:///etc/passwd');
    expect(notUrl).toMatchObject({ status: 400, body: { code: 'WEFT_CLI_USAGE' } });
    // A port nothing listens on: Prometheus is gone, not the viz server.
    const gone = await api('/api/v1/stat?prometheus=http://127.0.0.1:1');
    expect(gone).toMatchObject({ status: 502, body: { code: 'WEFT_CLI_PROMETHEUS' } });
    const tap = await api('/api/v1/tap?namespace=emojivoto&resource=deploy/nothing');
    expect(tap).toMatchObject({ status: 404, body: { error: 'no meshed deployment emojivoto/nothing' } });
    const resources = await api('/api/v1/resources');
    expect(resources).toMatchObject({ status: 404, body: { error: expect.stringContaining('no resource folder') } });
    expect((await api('/api/v1/stat?resource=deploy')).status).toBe(200);
  });
});

describe('the dashboard pages', () => {
  it('refuses a request whose Host is a DNS name, as a rebinding web page would send', async () => {
    const port = new URL(m.viz.address).port;
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path: '/api/v1/inventory', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
    expect(await status(`attacker.example:${port}`)).toBe(403);
    expect(await status(`localhost:${port}`)).toBe(200);
    expect(await status(`127.0.0.1:${port}`)).toBe(200);
    expect(await status(`[::1]:${port}`)).toBe(200);
  });

  it('says how to build the dashboard while it is not built, instead of a 404', async () => {
    const res = await fetch(`${m.viz.address}/`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('pnpm --filter @weft/dashboard build');
  });

  it('serves the built pages at / and their assets, and nothing outside them', async () => {
    await writeFile(join(assets, 'index.html'), '<!doctype html><title>Weft</title>');
    const index = await fetch(`${m.viz.address}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<title>Weft</title>');
    const outside = await fetch(`${m.viz.address}/assets/..%2Findex.html`);
    expect(outside.status).toBe(404);
    expect((await fetch(`${m.viz.address}/assets/missing-0000.js`)).status).toBe(404);
  });
});
