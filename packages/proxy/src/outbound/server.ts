import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Http2Server, Http2Session, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { BREAKER_OFF, type BreakerSettings } from '../breaker/settings.ts';
import { detect, keepStreamReads } from '../detect/detect.ts';
import { ProxyError } from '../errors.ts';
import { abortH1, abortH2, decide } from '../fault/fault.ts';
import { isGrpc, sendH1Error, sendH2Error } from '../http/error-response.ts';
import { forwardH1, hasBody } from '../http/h1-forward.ts';
import { forwardH1OverH2 } from '../http/h1-over-h2.ts';
import { forwardUpgrade } from '../http/h1-upgrade.ts';
import { forwardH2 } from '../http/h2-forward.ts';
import { DST_CANONICAL_HEADER, MESH_HEADERS, PROXY_ERROR_HEADER } from '../http/headers.ts';
import { createH1Server, createH2ServerFor } from '../http/servers.ts';
import { Connections } from '../listener/connections.ts';
import { Guard } from '../listener/guard.ts';
import type { Metrics } from '../metrics/registry.ts';
import { EMPTY_PROFILE, type Profile } from '../profile/profile.ts';
import type { EndpointMeta, Resolver } from '../resolve/update.ts';
import { RetryBudget } from '../retry/budget.ts';
import type { ForwardPolicy } from '../route/policy.ts';
import { type RequestHeaders, type RouteEntry, RouteTable } from '../route/table.ts';
import type { Limits, Timeouts } from '../settings/listener.ts';
import { buildSplit, type Split } from '../split/split.ts';
import type { LocalIdentity } from '../tls/local-identity.ts';
import type { Observers } from '../trace/observe.ts';
import { Endpoint } from './endpoint.ts';
import { Logical } from './logical.ts';
import { forwardOpaque } from './opaque.ts';

// The outbound side: accept → detect → logical service (by listener, or by
// the request's authority on the transparent listener) → P2C balancer →
// endpoint pool (mTLS to the peer proxy). Logical services are built once per
// authority and looked up in a Map.

const kLogical = Symbol('weft.logical');
type WithLogical<T> = T & { [kLogical]?: Logical };

export interface OutboundOptions {
  readonly identity: LocalIdentity | undefined;
  readonly resolver: Resolver;
  readonly timeouts: Timeouts;
  readonly limits: Limits;
  readonly queueCapacity: number;
  /** A service learned from a request's authority is forgotten after this long unused. */
  readonly discoveryIdleMs: number;
  readonly h1OverH2: boolean;
  readonly metrics: Metrics;
  /** Tap and tracing; called once a request's endpoint is known. */
  readonly observe?: Observers;
  /** Failure accrual per endpoint for services whose profile sets none; off when absent. */
  readonly breaker?: BreakerSettings;
}

export class Outbound {
  readonly connections: Connections;
  readonly h1: Server;
  readonly h2: Http2Server;
  readonly #logicals = new Map<string, Logical>();
  /** Services named by requests on the transparent listener; evicted when idle. */
  readonly #learned = new Set<string>();
  readonly #evictTimer: NodeJS.Timeout;
  readonly #opts: OutboundOptions;
  readonly #policy: ForwardPolicy;
  readonly #noRoute: RouteEntry<Logical>;

  constructor(opts: OutboundOptions) {
    this.#opts = opts;
    this.connections = new Connections(new Guard('outbound', opts.metrics.guard));
    // Errors the peer proxy reports stay between proxies; our own reach the app. Mesh
    // headers an app sends never leave: the peer's proxy trusts those that arrive over mTLS.
    this.#policy = {
      responseTimeoutMs: opts.timeouts.responseMs,
      stripRequest: MESH_HEADERS,
      stripResponse: PROXY_ERROR_HEADER,
      informational: true,
    };
    this.#noRoute = { policy: this.#policy, split: undefined };
    this.h1 = createH1Server(opts.timeouts, {
      request: (req, res) => this.#onRequest(req, res),
      upgrade: (req, socket, head) => this.#onUpgrade(req, socket, head),
    });
    this.h2 = createH2ServerFor(opts.timeouts, this.connections.guard, opts.limits, (stream, headers) =>
      this.#onStream(stream, headers),
    );
    this.h2.on('session', (session: WithLogical<Http2Session>) => {
      session[kLogical] = (session.socket as WithLogical<Socket>)[kLogical];
    });
    this.connections.watchH2(this.h2);
    // Any client can name any authority: without eviction, discovery watches
    // and their endpoint pools would pile up without bound.
    this.#evictTimer = setInterval(() => this.#evictIdle(), Math.max(50, opts.discoveryIdleMs / 2));
    this.#evictTimer.unref();
  }

  #evictIdle(): void {
    const cutoff = performance.now() - this.#opts.discoveryIdleMs;
    for (const authority of this.#learned) {
      const logical = this.#logicals.get(authority);
      if (!logical || logical.busy || logical.lastUsed > cutoff) continue;
      logical.close();
      this.#logicals.delete(authority);
      this.#learned.delete(authority);
    }
  }

  /** The logical service for `authority`, built on first use. */
  logical(authority: string): Logical {
    let logical = this.#logicals.get(authority);
    if (!logical) {
      const { identity, timeouts, metrics, resolver } = this.#opts;
      const make = (meta: EndpointMeta, breaker: BreakerSettings, onChange: () => void) =>
        new Endpoint(authority, meta, identity, timeouts, metrics, breaker, onChange);
      logical = new Logical(authority, resolver, make, {
        failFastMs: timeouts.failFastMs,
        queueCapacity: this.#opts.queueCapacity,
        breaker: this.#opts.breaker,
      });
      this.#logicals.set(authority, logical);
      this.#watchProfile(logical);
    }
    return logical;
  }

  #watchProfile(logical: Logical): void {
    const { resolver, metrics } = this.#opts;
    const authority = logical.authority;
    let budget: RetryBudget | undefined;
    const apply = (profile: Profile) => {
      const spec = profile.retryBudget;
      const last = budget?.spec;
      // The budget keeps its counts across profile updates that leave it unchanged.
      if (
        !budget ||
        !last ||
        last.ratio !== spec.ratio ||
        last.minPerSecond !== spec.minPerSecond ||
        last.ttlMs !== spec.ttlMs
      )
        budget = new RetryBudget(spec);
      // Backends are built (and start discovery) before any request is sent to them.
      const backend = (name: string) => {
        if (name === authority) return logical;
        // A backend named by configuration is never evicted as idle under a split that uses it.
        this.#learned.delete(name);
        return this.logical(name);
      };
      logical.routes = new RouteTable(profile, authority, this.#policy, metrics, budget, (dsts) =>
        buildSplit(dsts, backend),
      );
      logical.split = buildSplit(profile.dstOverrides, backend);
      // The Service's own failure accrual, else the proxy-wide default; unchanged settings keep every breaker's state.
      logical.configureBreaker(profile.failureAccrual ?? this.#opts.breaker ?? BREAKER_OFF);
    };
    apply(EMPTY_PROFILE);
    if (resolver.profile) logical.unwatchProfile = resolver.profile(authority, apply);
  }

  /** The route a request matches: its forwarding policy and its own backends, if any. */
  #routeFor(logical: Logical, method: string | undefined, url: string | undefined, headers: RequestHeaders) {
    return logical.routes ? logical.routes.route(method, url, headers) : this.#noRoute;
  }

  /** A route's own backends replace the service's split; the service itself among them means its endpoints. */
  static #target(logical: Logical, split: Split<Logical> | undefined): Logical {
    return split ? split.pick() : logical.target();
  }

  /** The logical service for a name a connection chose (its Host, its original destination): evicted when idle. */
  learn(authority: string): Logical {
    if (!this.#logicals.has(authority)) this.#learned.add(authority);
    return this.logical(authority);
  }

  /**
   * `fixed` is the upstream of a per-upstream listener, or the original destination's service; else
   * undefined. `other` takes a connection that is not HTTP and has no fixed upstream; else it is closed.
   */
  accept(socket: Socket, fixed: Logical | undefined, other?: (socket: Socket) => void): void {
    this.trackSource(socket, fixed?.authority ?? '');
    (socket as WithLogical<Socket>)[kLogical] = fixed;
    detect(socket, this.#opts.timeouts.detectMs, (protocol) => {
      if (protocol === 'http1') {
        keepStreamReads(socket);
        this.h1.emit('connection', socket);
        socket.resume();
      } else if (protocol === 'h2') this.h2.emit('connection', socket);
      // Opaque bytes need a destination; only a per-upstream listener knows one.
      else if (protocol === 'closed') socket.destroy();
      else if (fixed) forwardOpaque(socket, fixed, this.#opts.identity, this.#opts.timeouts.connectMs);
      else if (other) other(socket);
      else socket.destroy();
    });
  }

  /** A connection whose service's port is opaque: no detection, bytes balanced over its endpoints. */
  acceptOpaque(socket: Socket, logical: Logical): void {
    this.trackSource(socket, logical.authority);
    forwardOpaque(socket, logical, this.#opts.identity, this.#opts.timeouts.connectMs);
  }

  /** Counts an accepted connection (peer="src"), once, under the service it goes to ('' when not yet known). */
  trackSource(socket: Socket, authority: string): void {
    this.#opts.metrics.tcp({ direction: 'outbound', peer: 'src', authority, tls: 'disabled' }).track(socket);
  }

  #logicalFor(socket: Socket, authority: string | undefined): Logical | undefined {
    const fixed = (socket as WithLogical<Socket>)[kLogical];
    if (fixed) return fixed;
    if (!authority) return undefined;
    return this.learn(authority.includes(':') ? authority : `${authority}:80`);
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.connections.draining) res.shouldKeepAlive = false;
    const logical = this.#logicalFor(req.socket, req.headers.host);
    if (!logical) {
      sendH1Error(res, new ProxyError('WEFT_PROXY_NO_TARGET', 'request names no authority'), true);
      return;
    }
    const { policy, split } = this.#routeFor(logical, req.method, req.url, req.headers);
    if (policy.fault) {
      const action = decide(policy.fault);
      if (action === 'abort') {
        abortH1(res, policy.fault, policy.route);
        return;
      }
      if (action > 0) {
        setTimeout(() => res.destroyed || this.#dispatchH1(req, res, Outbound.#target(logical, split), policy), action);
        return;
      }
    }
    this.#dispatchH1(req, res, Outbound.#target(logical, split), policy);
  }

  #dispatchH1(req: IncomingMessage, res: ServerResponse, target: Logical, policy: ForwardPolicy): void {
    const ep = target.pick();
    if (ep) {
      this.#forwardH1(req, res, ep, policy);
      return;
    }
    target.enqueue((queued, err) => {
      if (res.destroyed) return;
      if (queued) this.#forwardH1(req, res, queued, policy);
      else sendH1Error(res, err as ProxyError, true);
    });
  }

  #forwardH1(req: IncomingMessage, res: ServerResponse, ep: Endpoint, policy: ForwardPolicy): void {
    this.#opts.observe?.observeH1('outbound', req, res, ep.meta.key, undefined, serverId(ep));
    if (ep.meshed && this.#opts.h1OverH2)
      forwardH1OverH2(req, res, ep, ep.series, policy, hasBody(req), ...canonical(ep));
    else forwardH1(req, res, ep, ep.series, policy, ...canonical(ep));
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const logical = this.#logicalFor(req.socket, req.headers.host);
    const go = (ep: Endpoint | undefined, err: ProxyError | undefined) => {
      if (ep) {
        ep.series.requests++;
        forwardUpgrade(req, socket, head, ep, this.#policy, undefined, undefined);
        return;
      }
      const failure = err ?? new ProxyError('WEFT_PROXY_NO_TARGET', 'request names no authority');
      socket.end(
        `HTTP/1.1 ${failure.status} ${failure.code}\r\n${PROXY_ERROR_HEADER}: ${failure.code}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`,
      );
    };
    if (!logical) {
      go(undefined, undefined);
      return;
    }
    const ep = logical.pick();
    if (ep) go(ep, undefined);
    else logical.enqueue(go);
  }

  #onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const fixed = (stream.session as WithLogical<Http2Session> | undefined)?.[kLogical];
    const authority = headers[':authority'];
    const logical =
      fixed ?? (authority ? this.learn(authority.includes(':') ? authority : `${authority}:80`) : undefined);
    if (!logical) {
      sendH2Error(
        stream,
        isGrpc(headers['content-type']),
        new ProxyError('WEFT_PROXY_NO_TARGET', 'request names no authority'),
        true,
      );
      return;
    }
    const { policy, split } = this.#routeFor(logical, headers[':method'], headers[':path'], headers);
    if (policy.fault) {
      const action = decide(policy.fault);
      if (action === 'abort') {
        abortH2(stream, isGrpc(headers['content-type']), policy.fault, policy.route);
        return;
      }
      if (action > 0) {
        setTimeout(
          () => stream.destroyed || this.#dispatchH2(stream, headers, Outbound.#target(logical, split), policy),
          action,
        );
        return;
      }
    }
    this.#dispatchH2(stream, headers, Outbound.#target(logical, split), policy);
  }

  #dispatchH2(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, target: Logical, policy: ForwardPolicy): void {
    const ep = target.pick();
    if (ep) {
      this.#opts.observe?.observeH2('outbound', stream, headers, ep.meta.key, undefined, serverId(ep));
      forwardH2(stream, headers, ep, ep.series, policy, ...canonical(ep));
      return;
    }
    target.enqueue((queued, err) => {
      if (stream.destroyed) return;
      if (queued) {
        this.#opts.observe?.observeH2('outbound', stream, headers, queued.meta.key, undefined, serverId(queued));
        forwardH2(stream, headers, queued, queued.series, policy, ...canonical(queued));
      } else sendH2Error(stream, isGrpc(headers['content-type']), err as ProxyError, true);
    });
  }

  close(): void {
    clearInterval(this.#evictTimer);
    for (const logical of this.#logicals.values()) logical.close();
  }
}

/** Meshed peers learn which service was called; an app's own header of that name never passes (MESH_HEADERS). */
function canonical(ep: Endpoint): [string, string | undefined] {
  return [DST_CANONICAL_HEADER, ep.meshed ? ep.authority : undefined];
}

function serverId(ep: Endpoint): string | undefined {
  return ep.meshed ? ep.meta.tls?.name : undefined;
}
