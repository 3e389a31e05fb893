import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WeftDev } from './support/weft-dev.ts';

// docs/workshop.md's retry and fault exercises on `weft dev`, as a workshop
// runs them: copy the example into the resource folder, wait, and read what
// `weft routes` and `weft stat` show. voting runs with FAILURE_RATE=0.5 (the
// retry lab), so a doughnut vote fails half the time and a retry can save it.

const LOCAL = fileURLToPath(new URL('../../../deploy/local/', import.meta.url));
const NS = ['-n', 'emojivoto'];
// Changes take effect within a second; the window then holds only the new behaviour.
const WINDOW = ['-t', '10s'];
const SETTLE_MS = 11_500;

// 15 % of the bot's votes are for the doughnut, plus its 1/99 share of the rest.
const DOUGHNUT_SHARE = 0.15 + 0.85 / 99;
const VOTE_SUCCESS = 1 - DOUGHNUT_SHARE * 0.5;

interface RouteRow {
  route: string;
  success: number | null;
  rps: number | null;
  actual_success?: number | null;
  actual_rps?: number | null;
  /** The window the figures cover: what was asked for, down to the scrapes in it (`8.0s`). */
  time_window: string;
}

interface StatRow {
  name: string;
  success: number | null;
  rps: number | null;
  latency_ms_p95: number | null;
}

const resources = mkdtempSync(join(tmpdir(), 'weft-workshop-'));
cpSync(join(LOCAL, 'resources'), resources, { recursive: true });
let mesh: WeftDev | undefined;

afterAll(async () => {
  await mesh?.dispose();
  rmSync(resources, { recursive: true, force: true });
}, 30_000);

/** Four binomial standard deviations of a share p over n trials. */
const tolerance = (p: number, n: number) => 4 * Math.sqrt((p * (1 - p)) / n);

/** How many requests a row's rate stands for over its window. */
const count = (row: RouteRow) => (row.rps ?? 0) * Number.parseFloat(row.time_window);

const route = (rows: RouteRow[], name: string) => {
  const row = rows.find((r) => r.route === name);
  if (!row) throw new Error(`no route ${name} in ${JSON.stringify(rows)}`);
  return row;
};

describe('the workshop on weft dev', () => {
  it('retries save the flaky doughnut votes, and a fault injected into voting never reaches it', async () => {
    mesh = new WeftDev(['--resources', resources], { REQUEST_RATE: '20', FAILURE_RATE: '0.5' });
    await mesh.url;
    await sleep(SETTLE_MS);

    // Before: no profile; the caller sees what voting does to a vote.
    const before = await mesh.json<RouteRow[]>('routes', 'deploy/vote-bot', '--to', 'svc/web-svc', ...NS, ...WINDOW);
    expect(before.map((r) => r.route)).toEqual(['[DEFAULT]']);

    // Workshop 2: GET /api/vote becomes retryable (5xx), within a budget.
    copyFileSync(join(LOCAL, 'examples/web-profile.yaml'), join(resources, 'web-profile.yaml'));
    await sleep(SETTLE_MS);
    const retried = await mesh.json<RouteRow[]>('routes', 'deploy/vote-bot', '--to', 'svc/web-svc', ...NS, ...WINDOW);
    const vote = route(retried, 'GET /api/vote');
    const votes = count(vote);
    // Enough votes to judge a rate by, even when a busy machine slows the bot down.
    expect(votes).toBeGreaterThan(30);
    // What the bot saw: a doughnut vote is retried until it lands (the
    // budget's 20 % of the bot's 20 requests a second covers the few needed), so almost none fails.
    // Without retries about 8 % of votes fail (VOTE_SUCCESS); with them, one
    // in fifty at most, a vote slower than the 300 ms timeout on a busy machine.
    expect(vote.success).toBeGreaterThanOrEqual(0.98 - 1 / votes);
    // What was sent includes every failed attempt: about one per doughnut
    // vote, but retries of a coin flip vary too much for a tighter bound here.
    expect(vote.actual_success).toBeLessThan(1);
    expect(vote.actual_rps ?? 0).toBeGreaterThan(vote.rps ?? 0);
    expect(route(retried, 'GET /api/list').success).toBe(1);

    // Workshop 4: without the profile, web's proxy aborts 20 % of its calls
    // to voting with grpc-status INTERNAL and delays the rest by 100 ms.
    rmSync(join(resources, 'web-profile.yaml'));
    copyFileSync(join(LOCAL, 'examples/voting-fault.yaml'), join(resources, 'voting-fault.yaml'));
    await sleep(SETTLE_MS);
    const calls = route(
      await mesh.json<RouteRow[]>('routes', 'deploy/web', '--to', 'svc/voting-svc', ...NS, ...WINDOW),
      'voting-fault.vote',
    );
    const sent = count(calls);
    const faulted = 0.8 * VOTE_SUCCESS;
    expect(Math.abs((calls.success ?? 0) - faulted)).toBeLessThan(tolerance(faulted, sent));
    // voting-svc's own proxy never sees the aborted calls: it serves about
    // 80 % of what web sent, and its success rate is voting's own.
    const served = new Map((await mesh.json<StatRow[]>('stat', 'deploy', ...NS, ...WINDOW)).map((r) => [r.name, r]));
    const voting = served.get('voting');
    expect(Math.abs((voting?.rps ?? 0) / (calls.rps ?? 1) - 0.8)).toBeLessThan(tolerance(0.8, sent));
    expect(Math.abs((voting?.success ?? 0) - VOTE_SUCCESS)).toBeLessThan(tolerance(VOTE_SUCCESS, 0.8 * sent));
    // Every call is held 100 ms before it is sent, so the votes web answers,
    // half of what it serves, are slower than that.
    expect(served.get('web')?.latency_ms_p95).toBeGreaterThan(100);
  }, 120_000);
});
