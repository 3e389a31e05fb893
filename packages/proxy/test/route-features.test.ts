import { createHash } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer as createH1Server, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { connect, createServer as createH2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo, Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BREAKER_OFF, type BreakerSettings } from '../src/breaker/settings.ts';
import { forwardH1, hasBody } from '../src/http/h1-forward.ts';
import { forwardH1OverH2 } from '../src/http/h1-over-h2.ts';
import { forwardH2AsH1 } from '../src/http/h2-as-h1.ts';
import { forwardH2 } from '../src/http/h2-forward.ts';
import { Metrics } from '../src/metrics/registry.ts';
import { Endpoint } from '../src/outbound/endpoint.ts';
import { EMPTY_PROFILE, type Profile, type ProfileRoute, type RetryBudget } from '../src/profile/profile.ts';
import { RetryBudget as Budget } from '../src/retry/budget.ts';
import { RouteTable } from '../src/route/table.ts';
import type { Timeouts } from '../src/settings/listener.ts';
import { metricSum } from './support/metrics-text.ts';

// Every route feature of the profile on every transport that carries a
// request: HTTP/1 (h1), HTTP/2 and gRPC (h2), HTTP/1 upgraded to HTTP/2
// between proxies (h1-over-h2), and such a stream sent to an HTTP/1 app
// (h2-as-h1). Real sockets: a client, a listener that forwards with the
// route's policy to a real endpoint (pools, load estimate, breaker), and a
// scripted app. Each case builds its own route table, budget and metrics.

type Protocol = 'h1' | 'h2';
interface Transport {
  readonly name: string;
  /** What the client speaks to the listener. */
  readonly front: Protocol;
  /** What the listener speaks to the app. */
  readonly back: Protocol;
}

const TRANSPORTS: readonly Transport[] = [
  { name: 'h1', front: 'h1', back: 'h1' },
  { name: 'h2', front: 'h2', back: 'h2' },
  { name: 'h1-over-h2', front: 'h1', back: 'h2' },
  { name: 'h2-as-h1', front: 'h2', back: 'h1' },
];

const AUTHORITY = 'svc.ns.svc.cluster.local:8080';
const SERVICE_LABELS = { direction: 'outbound', dst: AUTHORITY };
const FIVE_XX = [{ condition: { kind: 'status' as const, min: 500, max: 599 }, isFailure: true }];
const TIMEOUTS: Timeouts = {
  detectMs: 1000,
  connectMs: 5000,
  failFastMs: 1000,
  responseMs: 10_000,
  headersMs: 10_000,
  idleMs: 10_000,
  shutdownGraceMs: 100,
};
/** Enough retries that only the route decides. */
const GENEROUS: RetryBudget = { ratio: 1, minPerSecond: 100, ttlMs: 10_000 };
/** No share of requests: one retry over the ten-second window a case runs in. */
const ONE_RETRY: RetryBudget = { ratio: 0, minPerSecond: 0.1, ttlMs: 10_000 };

const route = (path: string, extra: Partial<ProfileRoute>): ProfileRoute => ({
  condition: { kind: 'path', regex: path },
  responseClasses: [],
  labels: { route: path },
  isRetryable: false,
  timeoutMs: 0,
  backends: [],
  ...extra,
});

const ROUTES: readonly ProfileRoute[] = [
  route('/flaky', { isRetryable: true, responseClasses: FIVE_XX }),
  route('/grpc-flaky', { isRetryable: true }),
  route('/fail', { isRetryable: true }),
  route('/slow', { timeoutMs: 300 }),
  route('/ok', {}),
];

/** The app: counts attempts per x-id, records each body's digest, fails as its path says. */
class App {
  readonly attempts = new Map<string, number>();
  readonly digests: string[] = [];
  readonly events = new EventEmitter();
  readonly server: Server;

  constructor(protocol: Protocol) {
    const handle = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) =>
      this.#handle(req, res);
    this.server = protocol === 'h1' ? createH1Server(handle) : (createH2Server(handle) as unknown as Server);
  }

  /** Both servers' request objects share what is used here; the HTTP/1 types name it. */
  #handle(req: IncomingMessage | Http2ServerRequest, answer: ServerResponse | Http2ServerResponse): void {
    const res = answer as ServerResponse;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = String(req.headers['x-id']);
      const n = (this.attempts.get(id) ?? 0) + 1;
      this.attempts.set(id, n);
      const digest = sha256(Buffer.concat(chunks));
      this.digests.push(digest);
      switch (req.url) {
        case '/flaky':
          res.writeHead(n === 1 ? 500 : 200).end(digest);
          return;
        case '/grpc-flaky':
          // Trailers-only answers: UNAVAILABLE first, then OK.
          res.writeHead(200, { 'content-type': 'application/grpc', 'grpc-status': n === 1 ? '14' : '0' }).end();
          return;
        case '/fail':
          res.writeHead(503).end();
          return;
        case '/slow':
          res.on('close', () => this.events.emit('cancelled'));
          return;
        default:
          res.writeHead(200).end('ok');
      }
    });
  }
}

interface Answer {
  readonly status: number;
  readonly grpcStatus: string | undefined;
  readonly proxyError: string | undefined;
  readonly body: string;
}

interface Ask {
  readonly method?: string;
  readonly body?: Buffer;
  readonly headers?: Record<string, string>;
}

/** A listener forwarding over one transport to a real endpoint, and its app; everything closes in afterEach. */
class Rig {
  readonly transport: Transport;
  readonly metrics: Metrics;
  readonly app: App;
  readonly endpoint: Endpoint;
  readonly front: Server;

  static async start(transport: Transport, budget: RetryBudget, breaker: BreakerSettings): Promise<Rig> {
    const app = new App(transport.back);
    app.server.listen(0, '127.0.0.1');
    await once(app.server, 'listening');
    const port = (app.server.address() as AddressInfo).port;
    const meta = { key: `127.0.0.1:${port}`, host: '127.0.0.1', port, weight: 1, labels: {}, tls: undefined };
    const metrics = new Metrics();
    const endpoint = new Endpoint(AUTHORITY, { ...meta, opaque: false }, undefined, TIMEOUTS, metrics, breaker);
    const profile: Profile = { ...EMPTY_PROFILE, routes: ROUTES, retryBudget: budget };
    const base = { responseTimeoutMs: 10_000, stripRequest: undefined, stripResponse: undefined, informational: true };
    const table = new RouteTable(profile, AUTHORITY, base, metrics, new Budget(budget));
    const rig = new Rig(transport, metrics, app, endpoint, table);
    rig.front.listen(0, '127.0.0.1');
    await once(rig.front, 'listening');
    return rig;
  }

  constructor(transport: Transport, metrics: Metrics, app: App, ep: Endpoint, table: RouteTable) {
    this.transport = transport;
    this.metrics = metrics;
    this.app = app;
    this.endpoint = ep;
    this.front =
      transport.front === 'h1'
        ? createH1Server((req, res) => {
            const policy = table.lookup(req.method, req.url, req.headers);
            if (transport.back === 'h1') forwardH1(req, res, ep, ep.series, policy, undefined, undefined);
            else forwardH1OverH2(req, res, ep, ep.series, policy, hasBody(req), undefined, undefined);
          })
        : (createH2Server().on('stream', (stream, headers) => {
            const policy = table.lookup(headers[':method'], headers[':path'], headers);
            if (transport.back === 'h2') forwardH2(stream, headers, ep, ep.series, policy, undefined, undefined);
            else forwardH2AsH1(stream, headers, ep, ep.series, policy, undefined, undefined);
          }) as unknown as Server);
  }

  get port(): number {
    return (this.front.address() as AddressInfo).port;
  }

  metricsText(): string {
    return [...this.metrics.render()].join('');
  }

  /** Sends one request as the transport's client would, and reads the whole answer. */
  ask(path: string, ask: Ask = {}): Promise<Answer> {
    return this.transport.front === 'h1' ? this.#askH1(path, ask) : this.#askH2(path, ask);
  }

  #askH1(path: string, ask: Ask): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: this.port, path, method: ask.method ?? 'GET', headers: ask.headers, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              grpcStatus: res.headers['grpc-status'] as string | undefined,
              proxyError: res.headers['weft-proxy-error'] as string | undefined,
              body: Buffer.concat(chunks).toString(),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(ask.body);
    });
  }

  #askH2(path: string, ask: Ask): Promise<Answer> {
    const session = connect(`http://127.0.0.1:${this.port}`);
    return new Promise<Answer>((resolve, reject) => {
      session.on('error', reject);
      const stream = session.request({ ':method': ask.method ?? 'GET', ':path': path, ...ask.headers });
      let head: Record<string, unknown> = {};
      let trailers: Record<string, unknown> = {};
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        head = h;
      });
      stream.on('trailers', (t) => {
        trailers = t;
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () =>
        resolve({
          status: Number(head[':status']),
          grpcStatus: (trailers['grpc-status'] ?? head['grpc-status']) as string | undefined,
          proxyError: head['weft-proxy-error'] as string | undefined,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      stream.on('error', reject);
      stream.end(ask.body);
    }).finally(() => session.close());
  }

  close(): void {
    this.endpoint.drain();
    for (const server of [this.front, this.app.server]) {
      (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close();
    }
  }
}

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');

let rigs: Rig[] = [];
afterEach(() => {
  for (const rig of rigs) rig.close();
  rigs = [];
});

async function rig(transport: Transport, budget: RetryBudget = GENEROUS, breaker: BreakerSettings = BREAKER_OFF) {
  const r = await Rig.start(transport, budget, breaker);
  rigs.push(r);
  return r;
}

const route_ = (text: string, name: string, rt: string, more: Record<string, string> = {}) =>
  metricSum(text, name, { ...SERVICE_LABELS, rt_route: rt, ...more });

describe.each(TRANSPORTS)('route features over $name', (transport) => {
  it('retries a failure-classified status: the client gets the second attempt, both are counted as attempts', async () => {
    const r = await rig(transport);
    const answer = await r.ask('/flaky', { headers: { 'x-id': 'a' } });
    expect(answer.status).toBe(200);
    expect(r.app.attempts.get('a')).toBe(2);
    const text = r.metricsText();
    expect(route_(text, 'route_request_total', '/flaky')).toBe(1);
    expect(route_(text, 'route_actual_request_total', '/flaky')).toBe(2);
    expect(route_(text, 'route_response_total', '/flaky', { classification: 'success' })).toBe(1);
    expect(route_(text, 'route_response_total', '/flaky', { classification: 'failure' })).toBe(0);
    expect(route_(text, 'route_actual_response_total', '/flaky', { status_code: '500' })).toBe(1);
    expect(route_(text, 'route_actual_response_total', '/flaky', { status_code: '200' })).toBe(1);
  });

  it('replays a 1 KiB body intact, and does not retry a body over 64 KiB', async () => {
    const r = await rig(transport);
    const small = Buffer.alloc(1024, 'a');
    const ok = await r.ask('/flaky', { method: 'POST', body: small, headers: { 'x-id': 'small' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe(sha256(small));
    expect(r.app.digests).toEqual([sha256(small), sha256(small)]);
    const big = Buffer.alloc(100 * 1024, 'b');
    const failed = await r.ask('/flaky', { method: 'POST', body: big, headers: { 'x-id': 'big' } });
    expect(failed.status).toBe(500);
    expect(r.app.attempts.get('big')).toBe(1);
  });

  it('stops retrying once the budget is spent', async () => {
    const r = await rig(transport, ONE_RETRY);
    for (let i = 0; i < 5; i++) expect((await r.ask('/fail', { headers: { 'x-id': `f${i}` } })).status).toBe(503);
    const attempts = [...r.app.attempts.values()].reduce((a, b) => a + b, 0);
    expect(attempts).toBe(6);
    const text = r.metricsText();
    expect(route_(text, 'route_request_total', '/fail')).toBe(5);
    expect(route_(text, 'route_actual_request_total', '/fail')).toBe(6);
  });

  it("answers 504 at the route's timeout and cancels the attempt at the app", async () => {
    const r = await rig(transport);
    const cancelled = once(r.app.events, 'cancelled');
    const start = performance.now();
    const answer = await r.ask('/slow');
    expect(performance.now() - start).toBeGreaterThanOrEqual(290);
    expect(answer.status).toBe(504);
    expect(answer.proxyError).toBe('WEFT_PROXY_RESPONSE_TIMEOUT');
    await cancelled;
    const text = r.metricsText();
    expect(route_(text, 'route_response_total', '/slow', { status_code: '504' })).toBe(1);
  });

  it('tells the breaker of every attempt and leaves the load estimate balanced', async () => {
    // Two consecutive failures eject: one request whose retry fails too is enough.
    const r = await rig(transport, ONE_RETRY, { ...BREAKER_OFF, consecutive: 2, minBackoffMs: 60_000 });
    expect((await r.ask('/fail', { headers: { 'x-id': 'b' } })).status).toBe(503);
    expect(r.app.attempts.get('b')).toBe(2);
    expect(r.endpoint.breaker?.available).toBe(false);
    expect(r.endpoint.inflight).toBe(0);
    expect(r.endpoint.ewma.pending).toBe(0);
    const text = r.metricsText();
    expect(metricSum(text, 'request_total', { authority: AUTHORITY })).toBe(2);
  });

  it('counts a request on an unmatched route once, with an empty route label', async () => {
    const r = await rig(transport);
    expect((await r.ask('/other')).status).toBe(200);
    const text = r.metricsText();
    expect(route_(text, 'route_request_total', '')).toBe(1);
    expect(route_(text, 'route_actual_request_total', '')).toBe(1);
    expect(route_(text, 'route_response_total', '', { status_code: '200', classification: 'success' })).toBe(1);
  });
});

describe.each(TRANSPORTS.filter((t) => t.front === 'h2' && t.back === 'h2'))('gRPC over $name', (transport) => {
  it('retries a trailers-only failing gRPC status and answers with the OK attempt', async () => {
    const r = await rig(transport);
    const answer = await r.ask('/grpc-flaky', {
      method: 'POST',
      headers: { 'content-type': 'application/grpc', 'x-id': 'g' },
    });
    expect(answer.status).toBe(200);
    expect(answer.grpcStatus).toBe('0');
    expect(r.app.attempts.get('g')).toBe(2);
    const text = r.metricsText();
    expect(route_(text, 'route_actual_response_total', '/grpc-flaky', { grpc_status: '14' })).toBe(1);
    expect(route_(text, 'route_response_total', '/grpc-flaky', { grpc_status: '0' })).toBe(1);
  });
});
