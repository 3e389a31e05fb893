import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TapEvent, TapMatch } from '@weft/api/tap';
import { peerIdentity } from '@weft/identity/tls';
import { log } from '../app/log.ts';
import { ProxyError } from '../errors.ts';
import type { HostPort } from '../settings/parse.ts';
import type { LocalIdentity } from '../tls/local-identity.ts';
import type { Tap } from './tap.ts';

// The tap port (4190): HTTPS with mutual TLS, one endpoint.
//   POST /tap  {"match":{"pathPrefix":"/api","method":"GET","authority":"web-svc:80"},"maxRps":100}
//   → 200, application/x-ndjson: one TapEvent per line while the client stays connected.
// Only the client certificate naming the authorized identity (the CLI's or
// the control plane's) may watch; any other gets 403. Events a slow reader
// cannot take (over 1 MiB waiting) are dropped rather than buffered.

const MAX_PENDING = 1 << 20;

export interface TapServerOptions {
  readonly tap: Tap;
  readonly identity: LocalIdentity;
  readonly authorizedIdentity: string;
  readonly listen: HostPort;
}

export async function startTapServer(opts: TapServerOptions): Promise<{ server: Server; address: AddressInfo }> {
  const { identity } = opts;
  const server = createServer(
    {
      SNICallback: (name, cb) =>
        name === identity.identity
          ? cb(null, identity.secureContext())
          : cb(new ProxyError('WEFT_PROXY_PEER_IDENTITY', `unknown server name ${name}`), undefined),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
      headersTimeout: 10_000,
      requestTimeout: 0,
    },
    (req, res) => handle(opts, req, res),
  );
  server.on('tlsClientError', (_err, socket) => socket.destroy());
  server.listen(opts.listen.port, opts.listen.host);
  await once(server, 'listening');
  return { server, address: server.address() as AddressInfo };
}

function reply(res: ServerResponse, status: number, message: string): void {
  const body = `${JSON.stringify({ error: message })}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function handle(opts: TapServerOptions, req: IncomingMessage, res: ServerResponse): unknown {
  const caller = peerIdentity(req.socket as TLSSocket);
  if (caller !== opts.authorizedIdentity) {
    log.info('tap refused', { caller: caller ?? null });
    return reply(res, 403, `${caller ?? 'an unauthenticated client'} may not tap this proxy`);
  }
  if (req.url !== '/tap') return reply(res, 404, 'not found');
  if (req.method !== 'POST') return reply(res, 405, 'method not allowed');
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
    if (body.length > 4096) req.destroy();
  });
  req.on('end', () => {
    let parsed: { match?: TapMatch; maxRps?: number };
    try {
      parsed = body ? JSON.parse(body) : {};
    } catch {
      return reply(res, 400, 'the body is not JSON');
    }
    const m = parsed.match ?? {};
    const match: TapMatch = {
      pathPrefix: typeof m.pathPrefix === 'string' ? m.pathPrefix : undefined,
      method: typeof m.method === 'string' ? m.method : undefined,
      authority: typeof m.authority === 'string' ? m.authority : undefined,
    };
    const maxRps = Number(parsed.maxRps ?? 100);
    let dropped = 0;
    const stop = opts.tap.watch({
      match,
      maxRps: Number.isFinite(maxRps) && maxRps > 0 ? maxRps : 100,
      emit(event: TapEvent) {
        if (res.writableLength > MAX_PENDING) {
          dropped++;
          return;
        }
        res.write(`${JSON.stringify(event)}\n`);
      },
    });
    if (!stop) return reply(res, 503, 'too many taps on this proxy');
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    // Lets the client know the watch is in place before the first event.
    res.write('\n');
    res.on('close', () => {
      stop();
      if (dropped) log.info('tap ended with events dropped', { dropped });
    });
  });
}
