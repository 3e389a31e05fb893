import { once } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { Inbound } from '../inbound/server.ts';
import type { Connections } from '../listener/connections.ts';
import { Metrics } from '../metrics/registry.ts';
import { Outbound } from '../outbound/server.ts';
import type { PolicySource } from '../policy/client.ts';
import type { Resolver } from '../resolve/update.ts';
import type { HostPort } from '../settings/parse.ts';
import { startTapServer } from '../tap/server.ts';
import { Tap } from '../tap/tap.ts';
import type { LocalIdentity } from '../tls/local-identity.ts';
import { Observers } from '../trace/observe.ts';
import { Tracer } from '../trace/tracer.ts';
import { OriginalDiscovery } from '../transparent/discovery.ts';
import { OutboundByOriginalDst } from '../transparent/outbound.ts';
import { createAdminServer } from './admin.ts';
import { type ProxyConfig, undetectedFor } from './env.ts';
import { log } from './log.ts';

// Wires the two directions, their listeners and the admin server together,
// and owns the lifecycle: start, readiness (a certificate in hand) and the
// graceful drain on shutdown.

export interface SidecarParts {
  readonly config: ProxyConfig;
  readonly identity: LocalIdentity | undefined;
  readonly resolver: Resolver;
  /** Extra series to append to /metrics (e.g. the identity client's). */
  readonly extraMetrics?: () => string;
  /** The inbound port's authorization policy (policy API); without one everything is allowed. */
  readonly policy?: PolicySource;
  /** The policy of another port of the app, which a redirected connection was sent to. */
  readonly policyFor?: (port: number) => PolicySource;
}

export interface SidecarAddresses {
  readonly outbound: AddressInfo;
  readonly inbound: AddressInfo;
  readonly admin: AddressInfo;
  /** Per-upstream listeners by authority. */
  readonly upstreams: ReadonlyMap<string, AddressInfo>;
  /** The tap port, when tap is enabled. */
  readonly tap: AddressInfo | undefined;
}

export class Sidecar {
  readonly metrics: Metrics;
  readonly inbound: Inbound;
  readonly outbound: Outbound;
  readonly observers: Observers;
  readonly #tap: Tap | undefined;
  readonly #tracer: Tracer | undefined;
  readonly #discovery: OriginalDiscovery;
  readonly #byOriginalDst: OutboundByOriginalDst;
  readonly #parts: SidecarParts;
  readonly #listeners: Server[] = [];
  /** Every port this proxy listens on, once started. */
  readonly #ownPorts = new Set<number>();
  readonly #admin: HttpServer;
  #shutdown: Promise<void> | undefined;
  #onShutdownRequest: (() => void) | undefined;
  addresses: SidecarAddresses | undefined;

  constructor(parts: SidecarParts) {
    this.#parts = parts;
    const { config, identity } = parts;
    this.metrics = new Metrics(config.metrics);
    const collector = config.trace.collector;
    this.#tracer = collector ? new Tracer({ ...config.trace, collector }) : undefined;
    // Tap needs mTLS to know who asks: no identity of our own, no tap.
    this.#tap = config.tap.authorizedIdentity && identity ? new Tap() : undefined;
    const observe = new Observers(this.#tracer, this.#tap);
    this.observers = observe;
    this.inbound = new Inbound({
      policy: parts.policy,
      profiles: parts.resolver.profile?.bind(parts.resolver),
      identity,
      app: config.appAddr,
      undetected: config.inboundUndetected,
      undetectedFor: (port) => undetectedFor(config, port),
      policyFor: parts.policyFor,
      ownPort: (port) => this.#ownPorts.has(port),
      knownPorts: config.inboundPorts,
      maxPorts: config.inboundMaxPorts,
      timeouts: config.timeouts,
      limits: config.limits,
      metrics: this.metrics,
      observe,
    });
    this.outbound = new Outbound({
      identity,
      resolver: parts.resolver,
      timeouts: config.timeouts,
      limits: config.limits,
      queueCapacity: config.queueCapacity,
      h1OverH2: config.h1OverH2,
      discoveryIdleMs: config.discoveryIdleMs,
      metrics: this.metrics,
      observe,
      breaker: config.breaker,
    });
    this.#discovery = new OriginalDiscovery(
      parts.resolver.profile?.bind(parts.resolver),
      config.discoveryIdleMs,
      config.timeouts.failFastMs,
    );
    this.#byOriginalDst = new OutboundByOriginalDst(
      this.outbound,
      this.#discovery,
      this.metrics,
      config.timeouts.connectMs,
      config.ingressMode,
    );
    this.#admin = createAdminServer({
      metrics: () => withExtra(this.metrics.render(), parts.extraMetrics),
      ready: () => this.ready,
      shutdown: () => (this.#onShutdownRequest ? this.#onShutdownRequest() : void this.shutdown()),
      shutdownEnabled: config.shutdownEndpointEnabled,
    });
  }

  /** Who handles a shutdown asked for on the admin port (the process entry point exits after it). */
  onShutdown(listener: () => void): void {
    this.#onShutdownRequest = listener;
  }

  /** Ready once it holds a certificate (or runs without identity). */
  get ready(): boolean {
    const identity = this.#parts.identity;
    return identity === undefined || identity.current !== undefined;
  }

  /** Binds every port now; connections accepted before the certificate arrives wait for it. */
  async start(): Promise<SidecarAddresses> {
    const { config } = this.#parts;
    const upstreams = new Map<string, AddressInfo>();
    const outbound = await this.#listen(config.outboundListen, this.outbound.connections, (s) =>
      this.#byOriginalDst.accept(s),
    );
    const inbound = await this.#listen(config.inboundListen, this.inbound.connections, (s) => this.inbound.accept(s));
    for (const up of config.upstreams) {
      const logical = this.outbound.logical(up.authority);
      upstreams.set(
        up.authority,
        await this.#listen(up.listen, this.outbound.connections, (s) => this.outbound.accept(s, logical)),
      );
    }
    this.#admin.listen(config.adminListen.port, config.adminListen.host);
    await once(this.#admin, 'listening');
    let tap: AddressInfo | undefined;
    const { identity } = this.#parts;
    if (this.#tap && identity && config.tap.authorizedIdentity) {
      const started = await startTapServer({
        tap: this.#tap,
        identity,
        authorizedIdentity: config.tap.authorizedIdentity,
        listen: config.tap.listen,
      });
      this.#listeners.push(started.server as unknown as Server);
      tap = started.address;
    }
    const admin = this.#admin.address() as AddressInfo;
    this.#ownPorts.add(admin.port);
    if (tap) this.#ownPorts.add(tap.port);
    this.addresses = { outbound, inbound, admin, upstreams, tap };
    return this.addresses;
  }

  async #listen(at: HostPort, connections: Connections, accept: (socket: Socket) => void): Promise<AddressInfo> {
    const identity = this.#parts.identity;
    const server = createServer({ noDelay: true, allowHalfOpen: true }, (socket) => {
      if (!connections.admit(socket)) return;
      if (identity === undefined || identity.current !== undefined) return accept(socket);
      identity.ready().then(() => (socket.destroyed ? undefined : accept(socket)));
    });
    // Past the limit node:net closes a new connection at once, before any of our code runs.
    server.maxConnections = this.#parts.config.limits.connectionsPerListener;
    server.on('drop', (data?: { remoteAddress?: string }) =>
      connections.guard.limited('connections', data?.remoteAddress),
    );
    server.listen(at.port, at.host);
    await once(server, 'listening');
    this.#listeners.push(server);
    const address = server.address() as AddressInfo;
    this.#ownPorts.add(address.port);
    return address;
  }

  /** Stops accepting, lets in-flight requests finish within the grace period, then closes everything. */
  shutdown(graceMs = this.#parts.config.timeouts.shutdownGraceMs): Promise<void> {
    this.#shutdown ??= this.#drain(graceMs);
    return this.#shutdown;
  }

  async #drain(graceMs: number): Promise<void> {
    log.info('shutting down', { graceMs });
    for (const server of this.#listeners) server.close();
    await Promise.all([
      this.inbound.connections.drain(this.inbound.h1, graceMs),
      this.outbound.connections.drain(this.outbound.h1, graceMs),
    ]);
    this.#discovery.close();
    this.outbound.close();
    this.inbound.close();
    this.#admin.close();
    this.#admin.closeAllConnections();
    for (const server of this.#listeners)
      (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    await this.#tracer?.close();
  }
}

function* withExtra(chunks: Iterable<string>, extra: (() => string) | undefined): Generator<string> {
  yield* chunks;
  if (extra) yield extra();
}
