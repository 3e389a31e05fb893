import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ObservedMesh, startObservedMesh } from './testing/observed-mesh.ts';
import { runCli } from './testing/run-cli.ts';

// `weft stat` and `weft edges` over a real proxy pair scraped by the viz recorder: 40 requests
// of which 10 fail must read as 75 % success at 40 requests over the window.

const N = 40;
const M = 10;
let m: ObservedMesh;
let spanBounds: { min: number; max: number };

beforeAll(async () => {
  const registered = Date.now();
  m = await startObservedMesh();
  const firstScraped = Date.now();
  await m.send('/ok', N - M);
  await m.send('/boom', M);
  const lastScrapeStart = Date.now();
  await m.viz.scrapeNow();
  // The recorded span runs from the first scrape (at registration) to the
  // last one before the query, which may be a timer scrape a moment later.
  spanBounds = { min: (lastScrapeStart - firstScraped) / 1000, max: (Date.now() + 1000 - registered) / 1000 };
});

afterAll(() => m.close());

type Row = Record<string, unknown> & { name: string; success: number | null; rps: number | null };
const api = () => ({ WEFT_API_ADDR: m.viz.address });

describe('weft stat (recorder)', () => {
  it('shows the inbound success rate and rate of the deployment that served the requests', async () => {
    const { code, stdout, stderr } = await runCli(['stat', '-n', 'emojivoto', 'deploy', '-o', 'json'], api());
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as Row[];
    const emoji = rows.find((r) => r.name === 'emoji');
    expect(emoji?.meshed).toBe('1/1');
    expect(emoji?.success).toBeCloseTo((N - M) / N, 6);
    expect(emoji?.rps).toBeGreaterThanOrEqual(N / spanBounds.max - 0.01);
    expect(emoji?.rps).toBeLessThanOrEqual(N / spanBounds.min + 0.01);
    expect(emoji?.latency_ms_p50).toBeGreaterThan(0);
    // web only sent: it is listed (meshed) but served nothing.
    const web = rows.find((r) => r.name === 'web');
    expect(web).toMatchObject({ meshed: '1/1', success: null, rps: null });
  });

  it('takes several named resources at once, as Linkerd does', async () => {
    const both = await runCli(['stat', '-n', 'emojivoto', 'deploy/web', 'deploy/emoji', '-o', 'json'], api());
    expect(both.code, both.stderr).toBe(0);
    expect((JSON.parse(both.stdout) as Row[]).map((r) => r.name).sort()).toEqual(['emoji', 'web']);
  });

  it("prints Linkerd's columns, and services from the clients' side", async () => {
    const table = await runCli(['stat', '-n', 'emojivoto', 'deploy/emoji'], api());
    const [header, row] = table.stdout.trimEnd().split('\n');
    expect(header?.split(/\s+/)).toEqual([
      'NAME',
      'MESHED',
      'SUCCESS',
      'RPS',
      'LATENCY_P50',
      'LATENCY_P95',
      'LATENCY_P99',
      'TCP_CONN',
    ]);
    expect(row).toMatch(/^emoji\s+1\/1\s+75\.00%\s+\d+\.\drps\s+\d+ms\s+\d+ms\s+\d+ms\s+\d+$/);
    const svc = JSON.parse((await runCli(['stat', '-n', 'emojivoto', 'svc', '-o', 'json'], api())).stdout) as Row[];
    expect(svc.find((r) => r.name === 'emoji-svc')?.success).toBeCloseTo(0.75, 6);
    const all = await runCli(['stat', '-A', 'po', '-o', 'wide'], api());
    expect(all.stdout.split('\n')[0]?.split(/\s+/)).toEqual(expect.arrayContaining(['NAMESPACE', 'READ_BYTES/SEC']));
    expect(all.stdout).toMatch(/emojivoto\s+emoji-0\s+1\/1\s+75\.00%/);
  });

  it('shows what one deployment sent with --from (outbound)', async () => {
    const rows = JSON.parse(
      (await runCli(['stat', '-n', 'emojivoto', 'deploy', '--from', 'deploy/web', '-o', 'json'], api())).stdout,
    ) as Row[];
    expect(rows.map((r) => r.name)).toEqual(['emoji']);
    expect(rows[0]?.success).toBeCloseTo(0.75, 6);
    expect(rows[0]?.tcp_open_connections).toBeGreaterThanOrEqual(1);
    const none = await runCli(['stat', '-n', 'emojivoto', 'deploy', '--from', 'deploy/emoji'], api());
    expect(none.stdout).toBe('No traffic found.\n');
  });

  it('says a namespace with no meshed workloads is not found, with the one meant, and exits 1', async () => {
    const typo = await runCli(['stat', '-n', 'emojivot', 'deploy'], api());
    expect(typo).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: no meshed workloads in namespace emojivot; did you mean emojivoto? (WEFT_CLI_NOT_FOUND)\n',
    });
    expect((await runCli(['stat', '-n', 'kube-system', 'deploy'], api())).stderr).toBe(
      'Error: no meshed workloads in namespace kube-system; meshed namespaces: emojivoto (WEFT_CLI_NOT_FOUND)\n',
    );
  });

  it('finds the viz API through .weft/viz.json from another process', async () => {
    const main = fileURLToPath(new URL('../main.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [main, 'stat', '-n', 'emojivoto', 'deploy/emoji', '-o', 'json'],
      { cwd: m.dir, env: { PATH: process.env.PATH }, timeout: 20_000 },
    );
    expect((JSON.parse(stdout) as Row[])[0]?.success).toBeCloseTo(0.75, 6);
  });

  it('shows the web → emoji edge as mTLS with the identities each proxy saw', async () => {
    const table = await runCli(['edges', '-n', 'emojivoto', 'deploy'], api());
    expect(table.stdout).toMatch(/^SRC\s+DST\s+SRC_NS\s+DST_NS\s+SECURED\n/);
    expect(table.stdout).toMatch(/\nweb\s+emoji\s+emojivoto\s+emojivoto\s+√\n/);
    const json = JSON.parse((await runCli(['edges', '-n', 'emojivoto', 'deploy', '-o', 'json'], api())).stdout);
    expect(json).toEqual([
      {
        src: 'web',
        src_namespace: 'emojivoto',
        dst: 'emoji',
        dst_namespace: 'emojivoto',
        client_id: m.mesh.clientIdentity,
        server_id: m.mesh.serverIdentity,
        secured: true,
        no_tls_reason: '',
      },
    ]);
    const wide = await runCli(['edges', '-n', 'emojivoto', 'deploy', '-o', 'wide'], api());
    expect(wide.stdout).toContain(m.mesh.clientIdentity);
    expect(wide.stdout.split('\n')[0]).toMatch(/CLIENT_ID\s+SERVER_ID$/);
  });

  it('shows unmatched traffic as the [DEFAULT] route of the deployment', async () => {
    const table = await runCli(['routes', '-n', 'emojivoto', 'deploy/emoji'], api());
    expect(table.stdout).toMatch(/^ROUTE\s+SERVICE\s+SUCCESS\s+RPS\s+LATENCY_P50\s+LATENCY_P95\s+LATENCY_P99\n/);
    expect(table.stdout).toMatch(/\n\[DEFAULT\]\s+emoji-svc\s+75\.00%\s+\d+\.\drps\s/);
    const quiet = await runCli(['routes', '-n', 'emojivoto', 'deploy/web'], api());
    expect(quiet.stdout).toBe('No traffic found for deploy/web in namespace emojivoto.\n');
  });

  it('ranks the busiest traffic in top, saying it comes from metrics', async () => {
    const { stdout } = await runCli(['top', '-n', 'emojivoto', '-t', '1m'], api());
    const [note, header, row] = stdout.trimEnd().split('\n');
    expect(note).toMatch(/computed from proxy metrics .* no tap yet/);
    expect(header?.split(/\s{2,}/)).toEqual([
      'Source',
      'Destination',
      'Method',
      'Path',
      'Count',
      'Best',
      'Worst',
      'Last',
      'Success Rate',
    ]);
    // Path is the authority the client asked for: the Host header it sent.
    const authority = `127\\.0\\.0\\.1:${m.mesh.upstreamPort}`;
    expect(row).toMatch(
      new RegExp(`^deploy/web\\s+deploy/emoji\\s+-\\s+${authority}\\s+40\\s+\\d+ms\\s+\\d+ms\\s+-\\s+75\\.00%$`),
    );
  });

  it('refreshes top on a terminal until the terminal goes away', async () => {
    const frames: string[] = [];
    const terminal = Object.assign(
      new Writable({
        write(chunk, _enc, done) {
          frames.push(String(chunk));
          // The user closes the terminal after the second refresh.
          if (frames.length === 2) setImmediate(() => terminal.destroy());
          done();
        },
      }),
      { isTTY: true },
    );
    const top = (await import('../commands/top.ts')).default;
    const started = Date.now();
    const code = await top.run(['-n', 'emojivoto', '-t', '1m'], { stdout: terminal, stderr: terminal, env: api() });
    expect(code).toBe(0);
    expect(frames).toHaveLength(2);
    const clearScreen = '\u001b[2J\u001b[H';
    for (const f of frames) expect(f.startsWith(`${clearScreen}(computed from proxy metrics`)).toBe(true);
    // One refresh interval (2 s) between the frames, and no third one.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses bad flags and says where the API is missing', async () => {
    const bad = await runCli(['stat', 'deploy', '-t', 'soon'], api());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('WEFT_CLI_USAGE');
    const kind = await runCli(['stat', 'cronjobs'], api());
    expect(kind.stderr).toContain('unsupported resource type');
    const down = await runCli(['stat', 'deploy'], { WEFT_API_ADDR: '127.0.0.1:1' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/unreachable.*WEFT_CLI_VIZ/);
  });
});
