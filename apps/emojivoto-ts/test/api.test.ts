import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMOJIS } from '../src/emoji/catalogue.ts';
import { emojiClient, votingClient } from '../src/grpc/clients.ts';
import { type Stack, startStack } from './stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({}, { MESSAGE_OF_THE_DAY: 'Welcome to version 2! Now with <more> words!' });
});

afterAll(async () => {
  await stack?.stop();
});

async function get(path: string): Promise<Response> {
  return fetch(`${stack.webUrl}${path}`);
}

describe('web API over the two gRPC services', () => {
  it('lists the 99 emojis in the original order, byte for byte', async () => {
    const response = await get('/api/list');
    expect(response.status).toBe(200);
    const list = (await response.json()) as Array<{ shortcode: string; unicode: string }>;
    expect(list).toHaveLength(99);
    expect(list.slice(0, 3).map((e) => e.shortcode)).toEqual([':joy:', ':sunglasses:', ':doughnut:']);
    expect(list.at(-1)).toEqual({ shortcode: ':poop:', unicode: '💩' });
    const facepalm = list.find((e) => e.shortcode === ':man_facepalming:');
    expect(Buffer.from(facepalm?.unicode ?? '').toString('hex')).toBe('f09fa4a6e2808de29982');
    expect(list).toEqual(EMOJIS.map((e) => ({ shortcode: e.shortcode, unicode: e.unicode })));
  });

  it('counts a :joy: vote and shows it on the leaderboard with votes as a string', async () => {
    const vote = await get('/api/vote?choice=:joy:');
    expect(vote.status).toBe(200);
    expect(await vote.text()).toBe('');
    await get('/api/vote?choice=%3Ajoy%3A');
    const board = (await (await get('/api/leaderboard')).json()) as Array<Record<string, string>>;
    expect(board[0]).toEqual({ votes: '2', unicode: '😂', shortcode: ':joy:' });
  });

  it('answers 500 with the gRPC error for the doughnut, and does not count it', async () => {
    const response = await get('/api/vote?choice=:doughnut:');
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ error: 'rpc error: code = Unknown desc = ERROR' });
    const board = (await (await get('/api/leaderboard')).json()) as Array<{ shortcode: string }>;
    expect(board.map((row) => row.shortcode)).not.toContain(':doughnut:');
  });

  it('answers 400 for a missing or unknown choice', async () => {
    expect((await get('/api/vote')).status).toBe(400);
    expect((await get('/api/vote?choice=')).status).toBe(400);
    const unknown = await get('/api/vote?choice=:not_an_emoji:');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toHaveProperty('error');
    // :relaxed: has a Vote RPC but is not one of the 99, as in the original.
    expect((await get('/api/vote?choice=:relaxed:')).status).toBe(400);
  });

  it('takes the choice from a form body too, like Go FormValue', async () => {
    const response = await fetch(`${stack.webUrl}/api/vote`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'choice=%3Apizza%3A',
    });
    expect(response.status).toBe(200);
    const board = (await (await get('/api/leaderboard')).json()) as Array<{ shortcode: string }>;
    expect(board.map((row) => row.shortcode)).toContain(':pizza:');
  });

  it('serves the page shell with the message of the day for any other path', async () => {
    for (const path of ['/', '/leaderboard', '/api', '/no/such/page']) {
      const response = await get(path);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain('<div id="motd">Welcome to version 2! Now with &lt;more&gt; words!</div>');
      expect(html).toContain('<script type="module" src="/js">');
    }
    const script = await get('/js');
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const js = await script.text();
    expect(js).toMatch(/getJson\s*\('\/api\/leaderboard'\)/);
    expect(js).not.toMatch(/interface Emoji|: Promise<void>/);
  });
});

describe('the gRPC services, called directly from the .proto files', () => {
  it('EmojiService lists, finds, and answers OK with no Emoji for an unknown shortcode', async () => {
    const emoji = emojiClient(stack.emojiAddress);
    try {
      expect(await emoji.listAll()).toHaveLength(99);
      expect(await emoji.findByShortcode(':taco:')).toEqual({ shortcode: ':taco:', unicode: '🌮' });
      expect(await emoji.findByShortcode(':nope:')).toBeUndefined();
    } finally {
      emoji.close();
    }
  });

  it('VotingService counts votes, fails VoteDoughnut with UNKNOWN, and sorts Results', async () => {
    const voting = votingClient(stack.votingAddress);
    try {
      await voting.vote('VoteRocket');
      await voting.vote('VoteRocket');
      await voting.vote('VoteRocket');
      await voting.vote('Vote100');
      await expect(voting.vote('VoteDoughnut')).rejects.toMatchObject({ code: 2, details: 'ERROR' });
      const results = await voting.results();
      expect(results[0]).toEqual({ shortcode: ':rocket:', votes: 3 });
      expect(results).toContainEqual({ shortcode: ':100:', votes: 1 });
      const votes = results.map((r) => r.votes);
      expect(votes).toEqual([...votes].sort((a, b) => b - a));
    } finally {
      voting.close();
    }
  });

  it('exports emojivoto_votes_total per emoji on PROM_PORT', async () => {
    const text = await (await fetch(stack.votingMetricsUrl)).text();
    expect(text).toContain('# TYPE emojivoto_votes_total counter');
    expect(text).toMatch(/^emojivoto_votes_total\{emoji=":rocket:"\} 3$/m);
    expect(text).toMatch(/grpc_server_handled_total\{[^}]*grpc_method="VoteDoughnut",grpc_code="Unknown"\} [1-9]/);
    expect(promtool(text)).toBe('');
  });

  it("exports emoji-svc's grpc_server_handled_total on PROM_PORT", async () => {
    const text = await (await fetch(stack.emojiMetricsUrl)).text();
    expect(text).toMatch(/grpc_server_handled_total\{[^}]*grpc_method="ListAll",grpc_code="OK"\} [1-9]/);
    expect(promtool(text)).toBe('');
  });
});

/**
 * Prometheus's own parser and linter on an exposition: its complaints, or its
 * exit status when it failed without any. The demo app imports nothing from
 * the mesh's packages, so it does not use their shared check.
 */
function promtool(text: string): string {
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return `${check.stdout ?? ''}${check.stderr ?? ''}`.trim() || (check.status === 0 ? '' : `exit ${check.status}`);
}
