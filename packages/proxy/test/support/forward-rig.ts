import { createHash } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer as createH1Server, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { connect, createServer as createH2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo, Server } from 'node:net';
import type { BreakerSettings } from '../../src/breaker/settings.ts';
import { forwardH1, hasBody } from '../../src/http/h1-forward.ts';
import { forwardH1OverH2 } from '../../src/http/h1-over-h2.ts';
import { forwardH2AsH1 } from '../../src/http/h2-as-h1.ts';
import { forwardH2 } from '../../src/http/h2-forward.ts';
import { Metrics } from '../../src/metrics/registry.ts';
import { Endpoint } from '../../src/outbound/endpoint.ts';
import { EMPTY_PROFILE, type Profile, type ProfileRoute, type RetryBudget } from '../../src/profile/profile.ts';
import { RetryBudget as Budget } from '../../src/retry/budget.ts';
import { RouteTable } from '../../src/route/table.ts';
import { readTimeouts } from '../../src/settings/listener.ts';

// One forwarding transport between a real client and a scripted app: a
// listener that looks up the route of each request in a route table built
// from literal profile routes and forwards it to a real endpoint (pools,
// load estimate, breaker) as the proxy does. For suites that run one case
// over every transport.

export const AUTHORITY = 'svc.ns.svc.cluster.local:8080';
const TIMEOUTS = readTimeouts(() => undefined);

export type Protocol = 'h1' | 'h2';
export interface Transport {
  readonly name: string;
  /** What the client speaks to the listener. */
  readonly front: Protocol;
  /** What the listener speaks to the app. */
  readonly back: Protocol;
}

export const TRANSPORTS: readonly Transport[] = [
  { name: 'h1', front: 'h1', back: 'h1' },
  { name: 'h2', front: 'h2', back: 'h2' },
  { name: 'h1-over-h2', front: 'h1', back: 'h2' },
  { name: 'h2-as-h1', front: 'h2', back: 'h1' },
];

/**
 * The app: counts attempts per x-id, records each body's digest, answers as its path says:
 * /flaky fails the first attempt (500), /grpc-flaky too (grpc-status 14, trailers-only),
 * /fail always (503), /slow never (and tells when cancelled), anything else 200.
 */
export class App {
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

export interface Answer {
  readonly status: number;
  readonly grpcStatus: string | undefined;
  readonly proxyError: string | undefined;
  readonly body: string;
}

export interface Ask {
  readonly method?: string;
  readonly body?: Buffer;
  readonly headers?: Record<string, string>;
}

/** A listener forwarding over one transport to a real endpoint, and its app; everything closes in afterEach. */
export class Rig {
  readonly transport: Transport;
  readonly metrics: Metrics;
  readonly app: App;
  readonly endpoint: Endpoint;
  readonly front: Server;

  /** `budget` undefined: the server side's table, which only counts (timeouts, retries and faults are the caller's). */
  static async start(
    transport: Transport,
    routes: readonly ProfileRoute[],
    budget: RetryBudget | undefined,
    breaker: BreakerSettings,
  ): Promise<Rig> {
    const app = new App(transport.back);
    app.server.listen(0, '127.0.0.1');
    await once(app.server, 'listening');
    const port = (app.server.address() as AddressInfo).port;
    const meta = { key: `127.0.0.1:${port}`, host: '127.0.0.1', port, weight: 1, labels: {}, tls: undefined };
    const metrics = new Metrics();
    const endpoint = new Endpoint(AUTHORITY, { ...meta, opaque: false }, undefined, TIMEOUTS, metrics, breaker);
    const profile: Profile = { ...EMPTY_PROFILE, routes, retryBudget: budget ?? EMPTY_PROFILE.retryBudget };
    const base = { responseTimeoutMs: 10_000, stripRequest: undefined, stripResponse: undefined, informational: true };
    const table = new RouteTable(profile, AUTHORITY, base, metrics, budget && new Budget(budget));
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

export const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');
