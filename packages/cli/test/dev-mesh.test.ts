import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { SPAN_KIND, startOtlpReceiver } from '@weft/api/testing/otlp-receiver';
import { promtoolProblems } from '@weft/api/testing/promtool';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningPrometheus, startPrometheus } from '../src/viz/testing/prometheus.ts';
import { id, type StatRow, tolerance, VOTE_SUCCESS, windowSeconds } from './support/emojivoto-rates.ts';
import { alive, childrenOf, listeningAddresses } from './support/processes.ts';
import { WeftDev } from './support/weft-dev.ts';

// `weft dev` started as `npm run dev` starts it, with a faster vote-bot;
// then asked what a workshop asks: are the edges mTLS between the right identities, and are the success
// rates emojivoto's.

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

let dev: WeftDev | undefined;
let resources = '';

afterEach(async () => {
  await dev?.dispose();
  dev = undefined;
  if (resources) rmSync(resources, { recursive: true, force: true });
  resources = '';
});

/** Starts `weft dev FLAGS` and waits until it prints the browser's URL. */
async function startDev(flags: string[], env: Record<string, string> = {}): Promise<WeftDev> {
  dev = new WeftDev(flags, env);
  await dev.url;
  return dev;
}

interface RouteRow {
  route: string;
  success: number | null;
}

interface Span {
  spanId: string;
  parentSpanId?: string;
  service: string;
}

/** The services from a span up to its trace's root, each run of one service counted once. */
function servicesToRoot(spans: readonly Span[], from: Span): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const path: string[] = [];
  for (let span: Span | undefined = from; span; span = span.parentSpanId ? byId.get(span.parentSpanId) : undefined) {
    if (path.at(-1) !== span.service) path.push(span.service);
  }
  return path;
}

describe('weft dev (meshed)', () => {
  it('runs emojivoto behind sidecars: mTLS edges, emojivoto success rates, everything gone after SIGINT', async () => {
    // The control plane reads a copy of the local resources, into which the voting profile is written once up.
    resources = mkdtempSync(join(tmpdir(), 'weft-dev-resources-'));
    cpSync(join(REPO, 'deploy/local/resources'), resources, { recursive: true });
    // Apps export spans every 100 ms, so the traces listed (the newest) are whole.
    const mesh = await startDev(['--resources', resources], { REQUEST_RATE: '20', OTEL_BSP_SCHEDULE_DELAY: '100' });
    const url = await mesh.url;
    const profile = await mesh.weft(
      'profile',
      '--proto',
      join(REPO, 'apps/emojivoto-ts/proto/Voting.proto'),
      'voting-svc',
      '-n',
      'emojivoto',
    );
    writeFileSync(join(resources, 'voting-profile.yaml'), profile.stdout);
    const children = childrenOf(mesh.pid);
    // identity, control plane, and four workloads of app + sidecar.
    expect(children).toHaveLength(10);
    // Every app that serves listens on loopback only: the way in is its sidecar.
    const apps = children.filter((pid) =>
      /emojivoto-ts\/src\/(web|emoji|voting)\//.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8')),
    );
    expect(apps).toHaveLength(3);
    for (const pid of apps) {
      const addresses = listeningAddresses(pid);
      expect(addresses.length).toBeGreaterThan(0);
      for (const address of addresses) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    }
    const tokens = join(mesh.dir, '.weft/dev/ca/tokens');
    for (const token of readdirSync(tokens)) expect(statSync(join(tokens, token)).mode & 0o777).toBe(0o600);

    // The browser's URL is web's sidecar.
    const list = await fetch(`${url}/api/list`);
    expect(list.headers.get('weft-proxy-error')).toBeNull();
    expect((await list.json()) as unknown[]).toHaveLength(99);

    await sleep(15_000);
    const edges = await mesh.json<
      { src: string; dst: string; secured: boolean; client_id: string; server_id: string }[]
    >('edges', 'deploy', '-n', 'emojivoto');
    const byPair = new Map(edges.map((e) => [`${e.src}->${e.dst}`, e]));
    expect([...byPair.keys()].sort()).toEqual(['vote-bot->web', 'web->emoji', 'web->voting']);
    for (const [pair, client, server] of [
      ['vote-bot->web', 'default', 'web'],
      ['web->emoji', 'web', 'emoji'],
      ['web->voting', 'web', 'voting'],
    ] as const) {
      expect(byPair.get(pair)).toMatchObject({ secured: true, client_id: id(client), server_id: id(server) });
    }

    const rows = new Map(
      (await mesh.json<StatRow[]>('stat', 'deploy', '-n', 'emojivoto', '-t', '1m')).map((r) => [r.name, r]),
    );
    const seconds = windowSeconds(rows.get('voting')?.time_window ?? '');
    const votes = (rows.get('voting')?.rps ?? 0) * seconds;
    // At 20 ticks/s for about 15 s: some 300 votes, so the voting share is
    // 84.1 % ± 8.4 points (4 σ) and web's, half of whose requests are
    // /api/list calls that always succeed, 92.1 % ± 4.2.
    expect(votes).toBeGreaterThan(100);
    expect(rows.get('emoji')?.success).toBe(1);
    expect(Math.abs((rows.get('voting')?.success ?? 0) - VOTE_SUCCESS)).toBeLessThan(tolerance(VOTE_SUCCESS, votes));
    expect(Math.abs((rows.get('web')?.success ?? 0) - (1 + VOTE_SUCCESS) / 2)).toBeLessThan(
      tolerance(VOTE_SUCCESS, votes) / 2,
    );

    // voting's own proxy labels what it served with the profile's routes: the doughnut always fails.
    const routes = await mesh.json<RouteRow[]>('routes', 'deploy/voting', '-n', 'emojivoto');
    const doughnut = routes.find((r) => r.route === 'VoteDoughnut');
    expect(doughnut?.success).toBe(0);
    const otherVotes = routes.filter((r) => r.route.startsWith('Vote') && r.route !== 'VoteDoughnut');
    expect(otherVotes.length).toBeGreaterThan(10);
    for (const r of otherVotes) expect(r).toMatchObject({ success: 1 });

    // weft tap reaches the sidecars' tap ports with the certificate weft dev issued it.
    const doughnutPath = '/emojivoto.v1.VotingService/VoteDoughnut';
    const tap = await mesh.weft(
      ...['tap', 'deploy/voting', '-n', 'emojivoto', '--path', doughnutPath, '--max-events', '6', '-o', 'json'],
    );
    const events = tap.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { type: string; tls: boolean; clientId: string; path: string; grpcStatus?: number },
      );
    expect(events).toHaveLength(6);
    expect(events[0]).toMatchObject({ type: 'req', tls: true, clientId: id('web'), path: doughnutPath });
    // grpc-status 2: Unknown.
    expect(events.find((e) => e.type === 'end')).toMatchObject({ path: doughnutPath, grpcStatus: 2 });

    // One vote's trace: the bot's span, each sidecar's span on the way, and each app's, parented in that order.
    const deadline = Date.now() + 8000;
    let chain: string[] = [];
    const hops = ['vote-bot', 'vote-bot-proxy', 'web', 'web-proxy', 'voting-proxy', 'voting'];
    while (Date.now() < deadline && chain.at(-1) !== 'vote-bot') {
      const traces = await mesh.json<{ traceId: string; services: string[] }[]>('trace', '--limit', '200');
      // Newest first, and the newest may still miss the spans of a process that exports later: take the oldest.
      const candidate = traces.filter((t) => hops.every((h) => t.services.includes(h))).at(-1);
      if (candidate) {
        const spans = await mesh.json<Span[]>('trace', candidate.traceId);
        const voting = spans.find((s) => s.service === 'voting');
        chain = voting ? servicesToRoot(spans, voting) : [];
      }
      if (chain.at(-1) !== 'vote-bot') await sleep(250);
    }
    expect(chain).toEqual(['voting', 'voting-proxy', 'web-proxy', 'web', 'web-proxy', 'vote-bot-proxy', 'vote-bot']);

    // Every check a workshop starts with passes: APIs reachable (identity over
    // TLS), certificates chaining to the anchors, proxies ready and scraped.
    const check = await mesh.json<{
      success: boolean;
      categories: { checks: { description: string; result: string }[] }[];
    }>('check');
    const failed = check.categories.flatMap((c) => c.checks).filter((c) => c.result !== 'success');
    expect(failed).toEqual([]);
    expect(check.success).toBe(true);

    expect(await mesh.stop('SIGINT')).toBe(0);
    expect(children.filter(alive)).toEqual([]);
    expect(existsSync(join(mesh.dir, '.weft/viz.json'))).toBe(false);
  }, 90_000);

  it("reads emojivoto's success rates from a real Prometheus scraping every sidecar, whose /metrics promtool accepts", async () => {
    const mesh = await startDev([], { REQUEST_RATE: '20' });
    const children = childrenOf(mesh.pid);
    let prom: RunningPrometheus | undefined;
    try {
      prom = await startPrometheus(mesh.dir, '1s');
      const targets = JSON.parse(readFileSync(join(mesh.dir, '.weft/prometheus-targets.json'), 'utf8')) as {
        targets: string[];
      }[];
      const admins = targets.flatMap((t) => t.targets);
      expect(admins).toHaveLength(4);
      await sleep(15_000);
      const stat = await mesh.json<StatRow[]>(
        'stat',
        'deploy',
        '-n',
        'emojivoto',
        '-t',
        '1m',
        '--prometheus',
        prom.url,
      );
      const rows = new Map(stat.map((r) => [r.name, r]));
      // Some 300 votes in 15 s; 150 keeps the bound loose enough for a busy machine.
      const bound = tolerance(VOTE_SUCCESS, 150);
      expect(rows.get('emoji')?.success).toBe(1);
      expect(Math.abs((rows.get('voting')?.success ?? 0) - VOTE_SUCCESS)).toBeLessThan(bound);
      expect(Math.abs((rows.get('web')?.success ?? 0) - (1 + VOTE_SUCCESS) / 2)).toBeLessThan(bound / 2);

      for (const admin of admins) {
        const text = await (await fetch(`http://${admin}/metrics`)).text();
        expect(await promtoolProblems(text)).toEqual([]);
      }
      expect(await mesh.stop('SIGINT')).toBe(0);
      expect(children.filter(alive)).toEqual([]);
    } finally {
      await prom?.stop();
    }
  }, 90_000);

  it('traces through the sidecars, sends every span to the --otlp collector, and drains a request in flight on SIGTERM', async () => {
    // Stands in for Jaeger's OTLP/gRPC port: a receiver built on the OpenTelemetry protobuf definitions.
    const collector = await startOtlpReceiver();
    try {
      const mesh = await startDev(['--no-bot', '--otlp', collector.endpoint], {
        ARTIFICIAL_DELAY: '1500ms',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      });
      const url = await mesh.url;
      const children = childrenOf(mesh.pid);
      // The banner follows the URL line; it may arrive a moment later.
      const banner = `forwarded with the proxies' spans to ${collector.endpoint}`;
      for (const until = Date.now() + 5000; !mesh.output.includes(banner) && Date.now() < until; ) await sleep(50);
      expect(mesh.output).toContain(banner);
      expect((await fetch(`${url}/api/list`)).status).toBe(200);
      // The apps and the proxies export on their own schedules: wait for every part of the trace.
      const expected = ['emoji', 'emoji-proxy', 'web', 'web-proxy'];
      const traceOf = (traceId: string) => collector.spans.filter((s) => s.traceId === traceId);
      const complete = () =>
        collector.spans.find(
          (w) =>
            w.service === 'web' && expected.every((service) => traceOf(w.traceId).some((s) => s.service === service)),
        );
      const deadline = Date.now() + 15_000;
      while (!complete() && Date.now() < deadline) await sleep(100);
      const traceId = complete()?.traceId as string;
      expect(traceId, `services seen: ${[...new Set(collector.spans.map((s) => s.service))]}`).toBeDefined();
      // Every parent arrived: one root (web's server span), and each other span's parent among them.
      const spans = traceOf(traceId);
      const ids = new Set(spans.map((s) => s.spanId));
      const roots = spans.filter((s) => !ids.has(s.parentSpanId));
      expect(roots.map((s) => `${s.service} ${s.kind}`)).toEqual([`web ${SPAN_KIND.SERVER}`]);
      // The proxies' spans say which pod made them.
      for (const proxy of spans.filter((s) => s.service.endsWith('-proxy'))) {
        expect(proxy.resource).toMatchObject({
          'k8s.namespace.name': 'emojivoto',
          'k8s.deployment.name': proxy.service.replace(/-proxy$/, ''),
        });
        expect(String(proxy.resource['k8s.pod.name'])).toMatch(
          new RegExp(`^${proxy.resource['k8s.deployment.name']}-`),
        );
      }
      // The viz server kept the same trace.
      const services = async () =>
        [...new Set((await mesh.json<{ service: string }[]>('trace', traceId)).map((s) => s.service))].sort();
      expect(await services()).toEqual(expected);

      const started = Date.now();
      const vote = fetch(`${url}/api/vote?choice=:joy:`);
      await sleep(300);
      const exited = mesh.stop('SIGTERM');
      // The vote waits 1.5 s in voting-svc, behind three sidecars that were told to stop.
      expect((await vote).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      expect(await exited).toBe(0);
      expect(children.filter(alive)).toEqual([]);
    } finally {
      collector.close();
    }
  }, 60_000);
});
