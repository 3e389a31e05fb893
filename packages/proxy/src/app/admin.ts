import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ProxyError } from '../errors.ts';
import { PROXY_ERROR_HEADER } from '../http/headers.ts';
import { isLogLevel, log, logLevel, setLogLevel } from './log.ts';

// The admin port: /metrics, /ready, /live, /proxy-log-level and /shutdown.
// Changing state (log level, shutdown) is allowed from loopback only.

export interface AdminHooks {
  /** The exposition in chunks; it may throw at any point, which fails that scrape only. */
  metrics(): Iterable<string>;
  ready(): boolean;
  shutdown(): void;
  readonly shutdownEnabled: boolean;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function reply(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function createAdminServer(hooks: AdminHooks): Server {
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => route(hooks, req, res));
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}

function route(hooks: AdminHooks, req: IncomingMessage, res: ServerResponse) {
  const path = (req.url ?? '/').split('?')[0];
  const local = isLoopback(req.socket.remoteAddress);
  switch (path) {
    case '/metrics':
      return streamMetrics(hooks, res);
    case '/ready':
      return hooks.ready() ? reply(res, 200, 'ready\n') : reply(res, 503, 'not ready\n');
    case '/live':
      return reply(res, 200, 'live\n');
    case '/proxy-log-level':
      if (req.method === 'GET') return reply(res, 200, `${logLevel()}\n`);
      if (req.method !== 'PUT') return reply(res, 405, 'method not allowed\n');
      if (!local) return reply(res, 403, 'loopback only\n');
      return readSmall(req, (body) => {
        const level = body.trim();
        if (!isLogLevel(level)) return reply(res, 400, `unknown level "${level}"\n`);
        setLogLevel(level);
        log.info('log level changed', { level });
        reply(res, 204, '');
      });
    case '/shutdown':
      if (!hooks.shutdownEnabled) return reply(res, 404, 'not found\n');
      if (req.method !== 'POST') return reply(res, 405, 'method not allowed\n');
      if (!local) return reply(res, 403, 'loopback only\n');
      reply(res, 202, 'shutdown\n');
      hooks.shutdown();
      return;
    default:
      return reply(res, 404, 'not found\n');
  }
}

/**
 * Writes each chunk as it is rendered, waiting for the client to take the
 * last one (a slow scraper holds one chunk, not the whole text). A render
 * that fails before anything was sent answers 500; after that the status is
 * gone, so the response is cut short, which a scraper counts as a failed scrape.
 */
async function streamMetrics(hooks: AdminHooks, res: ServerResponse): Promise<void> {
  try {
    for (const chunk of hooks.metrics()) {
      if (res.destroyed) return;
      if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      if (!res.write(chunk)) await drained(res);
    }
    if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end();
  } catch (err) {
    const failure = new ProxyError('WEFT_PROXY_METRICS_RENDER', `rendering /metrics failed: ${String(err)}`, {
      cause: err,
    });
    log.error('metrics scrape failed', { code: failure.code, error: String(err), sent: res.headersSent });
    if (res.headersSent) return void res.destroy();
    res.setHeader(PROXY_ERROR_HEADER, failure.code);
    reply(res, failure.status, `${failure.message}\n`);
  }
}

/** Resolves when the client took what was written, or went away; leaves no listener behind. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

function readSmall(req: IncomingMessage, done: (body: string) => unknown): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
    if (body.length > 256) req.destroy();
  });
  req.on('end', () => done(body));
}
