import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Http2Server, Http2Session, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket, type Server as TlsServer } from 'node:tls';
import { peerIdentity } from '@weft/identity/tls';
import { type Detected, detect, keepStreamReads } from '../detect/detect.ts';
import { ProxyError } from '../errors.ts';
import { isGrpc, sendH1Error, sendH2Error } from '../http/error-response.ts';
import { forwardH1 } from '../http/h1-forward.ts';
import { forwardUpgrade } from '../http/h1-upgrade.ts';
import { forwardH2AsH1 } from '../http/h2-as-h1.ts';
import { forwardH2 } from '../http/h2-forward.ts';
import { ORIG_PROTO_HEADER } from '../http/h2-headers.ts';
import { CLIENT_ID_HEADER, DST_CANONICAL_HEADER, MESH_HEADERS, PROXY_ERROR_HEADER } from '../http/headers.ts';
import { createH1Server, createH2ServerFor } from '../http/servers.ts';
import { Connections } from '../listener/connections.ts';
import { Guard } from '../listener/guard.ts';
import type { RequestSeries } from '../metrics/http.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { InboundPolicy } from '../policy/authorize.ts';
import type { PolicySource } from '../policy/client.ts';
import type { ForwardPolicy } from '../route/policy.ts';
import type { Limits, Timeouts, UndetectedAction } from '../settings/listener.ts';
import { splice } from '../tcp/splice.ts';
import { ALPN_H1, ALPN_H2, ALPN_OPAQUE } from '../tls/connect.ts';
import type { LocalIdentity } from '../tls/local-identity.ts';
import type { Observers } from '../trace/observe.ts';
import { InboundPorts } from '../transparent/inbound-ports.ts';
import type { InboundPort } from './port.ts';
import { InboundRoutes, type ProfileWatch } from './routes.ts';

// The inbound side: accept → detect → (TLS termination → peer identity) →
// HTTP/1, HTTP/2 or opaque → the local app. Meshed peers name their protocol
// with ALPN; plaintext clients are detected. The app learns who called from
// weft-client-id, which a caller can never set itself: a plaintext client's
// weft-* headers and trailers are all dropped, whatever their case or spelling.

interface Peer {
  /** The verified identity of a meshed client; undefined for plaintext. */
  readonly clientId: string | undefined;
  readonly policy: ForwardPolicy;
  /** The app's port it is for: upstream, policy, labels. */
  readonly port: InboundPort;
}

const kPeer = Symbol('weft.peer');
type WithPeer<T> = T & { [kPeer]?: Peer };
const kPort = Symbol('weft.port');
type WithPort<T> = T & { [kPort]?: InboundPort };

export interface InboundOptions {
  readonly identity: LocalIdentity | undefined;
  /** Where a connection without an original destination goes. */
  readonly app: { readonly host: string; readonly port: number };
  /** A plaintext connection detection cannot name, on the app address; meshed peers' opaque connections are always forwarded. */
  readonly undetected: UndetectedAction;
  /** The same on another port of the app (a redirected connection's original destination port). */
  readonly undetectedFor?: (port: number) => UndetectedAction;
  readonly timeouts: Timeouts;
  readonly limits: Limits;
  readonly metrics: Metrics;
  /** Tap and tracing; called as each request starts. */
  readonly observe?: Observers;
  /** The app address's authorization policy; without one everything is allowed. */
  readonly policy?: PolicySource;
  /** Another port's policy (the Server selecting it); without it only the app address has one. */
  readonly policyFor?: (port: number) => PolicySource;
  /** The proxy's own listening ports, never forwarded to. */
  readonly ownPort?: (port: number) => boolean;
  /** The pod's declared ports, served from the start. */
  readonly knownPorts?: readonly number[];
  /** Other ports served at once (a redirected connection's). */
  readonly maxPorts: number;
  /** Profiles of the services requests name (GetProfile), for route series; without it there are none. */
  readonly profiles?: ProfileWatch;
}

export class Inbound {
  readonly connections: Connections;
  readonly ports: InboundPorts;
  readonly h1: Server;
  readonly h2: Http2Server;
  readonly #tls: TlsServer | undefined;
  readonly #opts: InboundOptions;
  readonly #plainPolicy: ForwardPolicy;
  /** A plaintext peer of the app address. */
  readonly #plain: Peer;
  readonly #routes: InboundRoutes | undefined;

  constructor(opts: InboundOptions) {
    this.#opts = opts;
    const { app, timeouts, metrics } = opts;
    this.connections = new Connections(new Guard('inbound', metrics.guard));
    this.ports = new InboundPorts({
      app,
      timeouts,
      metrics,
      policy: opts.policy,
      policyFor: opts.policyFor,
      undetected: opts.undetected,
      undetectedFor: opts.undetectedFor ?? (() => opts.undetected),
      ownPort: opts.ownPort,
      known: opts.knownPorts,
      maxPorts: opts.maxPorts,
    });
    const policy = (informational: boolean, stripRequest: string): ForwardPolicy => ({
      responseTimeoutMs: timeouts.responseMs,
      stripRequest,
      stripResponse: undefined,
      informational,
    });
    this.#plainPolicy = policy(false, MESH_HEADERS);
    this.#plain = { clientId: undefined, policy: this.#plainPolicy, port: this.ports.default };
    // A meshed peer's proxy sets weft-* headers itself (its app's never leave it), but who called is ours to say.
    const meshedPolicy = policy(true, CLIENT_ID_HEADER);
    this.#routes = opts.profiles ? new InboundRoutes(opts.profiles, metrics) : undefined;
    this.h1 = createH1Server(timeouts, {
      request: (req, res) => this.#onRequest(req, res),
      upgrade: (req, socket, head) => this.#onUpgrade(req, socket, head),
    });
    this.h2 = createH2ServerFor(timeouts, this.connections.guard, opts.limits, (stream, headers) =>
      this.#onStream(stream, headers),
    );
    this.h2.on('session', (session: WithPeer<Http2Session>) => {
      session[kPeer] = (session.socket as WithPeer<Socket>)[kPeer];
    });
    this.connections.watchH2(this.h2);
    const identity = opts.identity;
    if (identity) {
      const tlsServer = createTlsServer({
        // A client may finish sending (half-close) and still wait for the answer.
        allowHalfOpen: true,
        // Only our own name is served; any other SNI (or none) fails the handshake.
        SNICallback: (name, cb) =>
          name === identity.identity
            ? cb(null, identity.secureContext())
            : cb(new ProxyError('WEFT_PROXY_PEER_IDENTITY', `unknown server name ${name}`), undefined),
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.3',
        ALPNProtocols: [ALPN_H2, ALPN_H1, ALPN_OPAQUE],
        handshakeTimeout: timeouts.detectMs,
      });
      tlsServer.on('secureConnection', (socket: TLSSocket) => {
        socket.on('error', this.connections.guard.onSocketError);
        const clientId = peerIdentity(socket);
        // The port was chosen on the TCP connection the TLS session runs on.
        const port = (socket as TLSSocket & { _parent?: WithPort<Socket> })._parent?.[kPort] ?? this.ports.default;
        (socket as WithPeer<TLSSocket>)[kPeer] = { clientId, policy: meshedPolicy, port };
        metrics
          .tcp({ direction: 'inbound', peer: 'src', tls: 'true', client_id: clientId ?? '', ...port.labels })
          .track(socket);
        this.#route(socket, alpnProtocol(socket), false);
      });
      tlsServer.on('tlsClientError', (_err, socket) => socket.destroy());
      this.#tls = tlsServer;
    }
  }

  /** The accept stage: every connection the listener admitted starts here. */
  accept(socket: Socket): void {
    const port = this.ports.of(socket);
    if (typeof port === 'string') {
      this.connections.guard.limited(port, socket.remoteAddress);
      socket.destroy();
      return;
    }
    port.whenReady(() => (socket.destroyed ? undefined : this.#detect(socket, port)));
  }

  #detect(socket: Socket, port: InboundPort): void {
    detect(socket, this.#opts.timeouts.detectMs, (protocol) => {
      if (protocol === 'closed') return socket.destroy();
      if (protocol === 'tls') {
        if (!this.#tls) return socket.destroy();
        (socket as WithPort<Socket>)[kPort] = port;
        this.#tls.emit('connection', socket);
        return;
      }
      (socket as WithPeer<Socket>)[kPeer] = { clientId: undefined, policy: this.#plainPolicy, port };
      this.#opts.metrics
        .tcp({
          direction: 'inbound',
          peer: 'src',
          tls: 'no_identity',
          no_tls_reason: 'no_tls_from_remote',
          ...port.labels,
        })
        .track(socket);
      if ((protocol === 'timeout' || protocol === 'opaque') && port.undetected === 'close') {
        // An unauthenticated peer's unclassified bytes would pass route policy, rate limit, tap and metrics.
        this.#opts.metrics.detectFailures[protocol === 'timeout' ? 'timeout' : 'unrecognized']++;
        socket.destroy();
        return;
      }
      this.#route(socket, protocol);
    });
  }

  /** `detected` is false when the protocol came from ALPN and no bytes were put back. */
  #route(socket: Socket, protocol: Detected | 'undetected', detected = true): void {
    if (protocol === 'undetected') {
      detect(socket, this.#opts.timeouts.detectMs, (p) => (p === 'closed' ? socket.destroy() : this.#route(socket, p)));
    } else if (protocol === 'http1') {
      if (detected) keepStreamReads(socket);
      this.h1.emit('connection', socket);
      socket.resume();
    } else if (protocol === 'h2') {
      this.h2.emit('connection', socket);
    } else {
      // Opaque, unknown, or a server-speaks-first protocol that sent nothing.
      this.#forwardOpaque(socket);
    }
  }

  #forwardOpaque(socket: Socket): void {
    const peer = (socket as WithPeer<Socket>)[kPeer];
    const port = peer?.port ?? this.ports.default;
    const policy = port.policy;
    // Opaque bytes carry no requests: the connection itself is authorized, or closed.
    if (policy && !policy.connection(peer?.clientId, socket.remoteAddress ?? '')) {
      socket.destroy();
      return;
    }
    const upstream = connect({ host: port.app.host, port: port.app.port, noDelay: true });
    const timer = setTimeout(() => upstream.destroy(), this.#opts.timeouts.connectMs);
    upstream.once('connect', () => clearTimeout(timer));
    upstream.once('close', () => clearTimeout(timer));
    splice(socket, upstream);
    socket.resume();
  }

  #seriesFor(port: InboundPort, authority: string, clientId: string | undefined): RequestSeries {
    const key = clientId ? `${clientId} ${authority}` : authority;
    let s = port.series.get(key);
    if (!s) {
      const tls: Record<string, string> = clientId
        ? { tls: 'true', client_id: clientId }
        : { tls: 'no_identity', no_tls_reason: 'no_tls_from_remote' };
      s = this.#opts.metrics.http({ direction: 'inbound', authority, ...port.labels, ...tls });
      // Past the registry's bound every new authority shares one series: kept by each key, this Map would grow.
      if (!s.overflow) port.series.set(key, s);
    }
    return s;
  }

  /** Authorization and local rate limit for one request; the error to answer with, if refused. */
  #refuse(
    policy: InboundPolicy,
    clientId: string | undefined,
    ip: string | undefined,
    method: string,
    url: string,
  ): ProxyError | undefined {
    const verdict = policy.request(clientId, ip ?? '', method, url);
    if (verdict === 'deny') {
      return new ProxyError('WEFT_PROXY_UNAUTHORIZED', `${clientId ?? 'unauthenticated client'} is not authorized`);
    }
    if (verdict === 'noRoute') return new ProxyError('WEFT_PROXY_NO_ROUTE', `no route for ${method} ${url}`);
    if (policy.limiter && !policy.limiter.admit(clientId)) {
      return new ProxyError('WEFT_PROXY_RATE_LIMITED', 'local rate limit exceeded');
    }
    return undefined;
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const peer = (req.socket as WithPeer<Socket>)[kPeer] ?? this.#plain;
    if (this.connections.draining) res.shouldKeepAlive = false;
    const port = peer.port;
    const refused = port.policy
      ? this.#refuse(port.policy, peer.clientId, req.socket.remoteAddress, req.method ?? 'GET', req.url ?? '/')
      : undefined;
    if (refused) {
      const series = this.#seriesFor(port, req.headers.host ?? '', peer.clientId);
      series.requests++;
      series.response(refused.status, -1).record(0);
      sendH1Error(res, refused, peer.policy.informational);
      return;
    }
    const series = this.#seriesFor(port, req.headers.host ?? '', peer.clientId);
    this.#opts.observe?.observeH1(
      'inbound',
      req,
      res,
      port.labels.target_addr as string,
      peer.clientId,
      this.#opts.identity?.identity,
    );
    const service = serviceOf(req.headers, req.headers.host, peer);
    const policy =
      this.#routes?.policy(service, peer.clientId, peer.policy, req.method, req.url, req.headers) ?? peer.policy;
    forwardH1(req, res, port.app, series, policy, CLIENT_ID_HEADER, peer.clientId);
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const peer = (req.socket as WithPeer<Socket>)[kPeer] ?? this.#plain;
    const port = peer.port;
    this.#seriesFor(port, req.headers.host ?? '', peer.clientId).requests++;
    const refused = port.policy
      ? this.#refuse(port.policy, peer.clientId, req.socket.remoteAddress, req.method ?? 'GET', req.url ?? '/')
      : undefined;
    if (refused) {
      const header = peer.policy.informational ? `${PROXY_ERROR_HEADER}: ${refused.code}\r\n` : '';
      socket.end(
        `HTTP/1.1 ${refused.status} ${refused.code}\r\n${header}content-length: 0\r\nconnection: close\r\n\r\n`,
      );
      return;
    }
    forwardUpgrade(req, socket, head, port.app, peer.policy, CLIENT_ID_HEADER, peer.clientId);
  }

  #onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const peer = (stream.session as WithPeer<Http2Session> | undefined)?.[kPeer] ?? this.#plain;
    const port = peer.port;
    const series = this.#seriesFor(port, headers[':authority'] ?? '', peer.clientId);
    const refused = port.policy
      ? this.#refuse(
          port.policy,
          peer.clientId,
          stream.session?.socket?.remoteAddress,
          headers[':method'] ?? 'GET',
          headers[':path'] ?? '/',
        )
      : undefined;
    if (refused) {
      const grpc = isGrpc(headers['content-type']);
      series.requests++;
      series.response(grpc ? 200 : refused.status, grpc ? refused.grpcStatus : -1).record(0);
      sendH2Error(stream, grpc, refused, peer.policy.informational);
      return;
    }
    this.#opts.observe?.observeH2(
      'inbound',
      stream,
      headers,
      port.labels.target_addr as string,
      peer.clientId,
      this.#opts.identity?.identity,
    );
    const policy =
      this.#routes?.policy(
        serviceOf(headers, headers[':authority'], peer),
        peer.clientId,
        peer.policy,
        headers[':method'],
        headers[':path'],
        headers,
      ) ?? peer.policy;
    // An HTTP/1 request the peer proxy upgraded goes to the app as HTTP/1 again.
    if (headers[ORIG_PROTO_HEADER] !== undefined) {
      forwardH2AsH1(stream, headers, port.app, series, policy, CLIENT_ID_HEADER, peer.clientId);
    } else {
      forwardH2(stream, headers, port.app, series, policy, CLIENT_ID_HEADER, peer.clientId);
    }
  }

  close(): void {
    this.#routes?.close();
    this.ports.close();
  }
}

/** The service a request was sent to: as the caller's proxy named it (meshed callers only), else its authority. */
function serviceOf(headers: IncomingHttpHeaders, authority: string | undefined, peer: Peer): string {
  const named = peer.clientId ? headers[DST_CANONICAL_HEADER] : undefined;
  return (typeof named === 'string' ? named : undefined) ?? authority ?? '';
}

function alpnProtocol(socket: TLSSocket): Detected | 'undetected' {
  switch (socket.alpnProtocol) {
    case ALPN_H2:
      return 'h2';
    case ALPN_H1:
      return 'http1';
    case ALPN_OPAQUE:
      return 'opaque';
    default:
      return 'undetected';
  }
}
