import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from './stack.ts';

interface Seen {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** performance.now() when the request came, and when its answer was sent. */
  readonly at: number;
  answeredAt: number;
}

// A stand-in for web that records what the bot sends and answers every vote
// with 500, to show the bot carries on regardless of status, as the original.
const seen: Seen[] = [];
const fakeWeb = createServer((request, response) => {
  const entry: Seen = { url: request.url ?? '', headers: request.headers, at: performance.now(), answeredAt: 0 };
  seen.push(entry);
  response.on('finish', () => {
    entry.answeredAt = performance.now();
  });
  if (request.url === '/api/list') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify([{ shortcode: ':joy:', unicode: '😂' }]));
  } else {
    response.writeHead(500, { 'content-type': 'application/json' });
    response.end('{"error":"rpc error: code = Unknown desc = ERROR"}');
  }
});

let exitCode: number | null;
let elapsedMs: number;
/** From the bot's "voting on" line (when its TTL starts) to its exit. */
let votingMs: number;
let votingFrom: number;

beforeAll(async () => {
  fakeWeb.listen(0, '127.0.0.1');
  await once(fakeWeb, 'listening');
  const port = (fakeWeb.address() as AddressInfo).port;
  const started = performance.now();
  const { service } = await startService(
    'vote-bot',
    'vote-bot/main.ts',
    { WEB_HOST: `127.0.0.1:${port}`, HOST_OVERRIDE: 'web-svc.emojivoto:80', REQUEST_RATE: '10', TTL: '2' },
    /voting on/,
  );
  votingFrom = performance.now();
  [exitCode] = (await once(service.child, 'exit')) as [number | null];
  elapsedMs = performance.now() - started;
  votingMs = performance.now() - votingFrom;
});

afterAll(() => {
  fakeWeb.close();
});

describe('vote-bot', () => {
  it('exits 0 once TTL seconds have passed', () => {
    expect(exitCode).toBe(0);
    // Not before TTL (counted from the spawn, which comes first)...
    expect(elapsedMs).toBeGreaterThan(1900);
    // ...and soon after it, counted from when the bot said it started voting: a process start
    // on a busy machine is not the bot's doing.
    expect(votingMs).toBeLessThan(5000);
  });

  it('sends GET /api/list then GET /api/vote each tick, at about REQUEST_RATE, ignoring the 500s', () => {
    const votes = seen.filter((s) => s.url.startsWith('/api/vote?choice='));
    const lists = seen.filter((s) => s.url === '/api/list');
    expect(seen[0]?.url).toBe('/api/list');
    expect(votes.length).toBeGreaterThanOrEqual(lists.length - 1);
    for (const vote of votes) expect(['%3Ajoy%3A', '%3Adoughnut%3A']).toContain(vote.url.split('=')[1]);
    // Each tick waits 1/REQUEST_RATE = 100 ms, then sends its two requests one after the other, so
    // a tick lasts 100 ms plus what the requests take, which a busy machine stretches. What the bot
    // controls is the pause between our answer to a vote and its next list: never shorter than
    // 100 ms, and in the quickest of ~20 ticks not much longer.
    const pauses = seen.flatMap((s, i) =>
      s.url.startsWith('/api/vote') && seen[i + 1]?.url === '/api/list'
        ? [(seen[i + 1] as Seen).at - s.answeredAt]
        : [],
    );
    expect(pauses.length).toBeGreaterThanOrEqual(5);
    expect(Math.min(...pauses)).toBeGreaterThanOrEqual(95);
    expect(Math.min(...pauses)).toBeLessThan(150);
    // At most 10 ticks/s for 2 s, and still ticking near the end of TTL.
    expect(lists.length).toBeLessThanOrEqual(20);
    expect((lists.at(-1) as Seen).at - votingFrom).toBeGreaterThan(1500);
  });

  it('sends HOST_OVERRIDE as the Host header and a sampled traceparent that starts each trace', () => {
    for (const request of seen) {
      expect(request.headers.host).toBe('web-svc.emojivoto:80');
      expect(request.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    }
    const traceIds = new Set(seen.map((s) => String(s.headers.traceparent).split('-')[1]));
    expect(traceIds.size).toBe(seen.length);
  });
});
