import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from './stack.ts';

interface Seen {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

// A stand-in for web that records what the bot sends and answers every vote
// with 500, to show the bot carries on regardless of status, as the original.
const seen: Seen[] = [];
const fakeWeb = createServer((request, response) => {
  seen.push({ url: request.url ?? '', headers: request.headers });
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
  [exitCode] = (await once(service.child, 'exit')) as [number | null];
  elapsedMs = performance.now() - started;
});

afterAll(() => {
  fakeWeb.close();
});

describe('vote-bot', () => {
  it('exits 0 once TTL seconds have passed', () => {
    expect(exitCode).toBe(0);
    expect(elapsedMs).toBeGreaterThan(1900);
    expect(elapsedMs).toBeLessThan(6000);
  });

  it('sends GET /api/list then GET /api/vote each tick, at about REQUEST_RATE, ignoring the 500s', () => {
    const votes = seen.filter((s) => s.url.startsWith('/api/vote?choice='));
    const lists = seen.filter((s) => s.url === '/api/list');
    // 10 ticks/s for 2 s, each waiting 100 ms before its requests.
    expect(lists.length).toBeGreaterThanOrEqual(12);
    expect(lists.length).toBeLessThanOrEqual(20);
    expect(votes.length).toBeGreaterThanOrEqual(lists.length - 1);
    expect(seen[0]?.url).toBe('/api/list');
    for (const vote of votes) expect(['%3Ajoy%3A', '%3Adoughnut%3A']).toContain(vote.url.split('=')[1]);
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
