import { pickP2c } from '../balance/p2c.ts';
import { BREAKER_OFF, type BreakerSettings, sameBreakerSettings } from '../breaker/settings.ts';
import { ProxyError } from '../errors.ts';
import type { EndpointMeta, Resolver, Update } from '../resolve/update.ts';
import type { RouteTable } from '../route/table.ts';
import type { Split } from '../split/split.ts';
import type { Endpoint } from './endpoint.ts';

// A logical service (one authority): the discovery subscription, the set of
// ready endpoints the balancer picks from, and a bounded queue for requests
// that arrive while there is no endpoint. A request never waits longer than
// the fail-fast timeout: then it gets 503.

export type Waiter = (endpoint: Endpoint | undefined, error: ProxyError | undefined) => void;

export interface LogicalOptions {
  readonly failFastMs: number;
  readonly queueCapacity: number;
  /** Failure accrual of the endpoints until the service's profile says otherwise; off when absent. */
  readonly breaker?: BreakerSettings;
}

export type MakeEndpoint = (meta: EndpointMeta, breaker: BreakerSettings, onBreakerChange: () => void) => Endpoint;

interface Queued {
  readonly waiter: Waiter;
  readonly timer: NodeJS.Timeout;
}

export class Logical {
  readonly authority: string;
  /** Replaced (never mutated) on every change, so a pick sees one consistent set. */
  endpoints: readonly Endpoint[] = [];
  readonly #byKey = new Map<string, Endpoint>();
  readonly #queue = new Set<Queued>();
  readonly #opts: LogicalOptions;
  readonly #make: MakeEndpoint;
  readonly #refresh = () => this.#rebuild();
  readonly #unsubscribe: () => void;
  #breaker: BreakerSettings;

  constructor(authority: string, resolver: Resolver, make: MakeEndpoint, opts: LogicalOptions) {
    this.authority = authority;
    this.#make = make;
    this.#opts = opts;
    this.#breaker = opts.breaker ?? BREAKER_OFF;
    this.#unsubscribe = resolver.resolve(authority, (u) => this.#apply(u));
  }

  /** The compiled profile (routes, timeouts, retries); replaced whole on every profile update. */
  routes: RouteTable<Logical> | undefined;
  /** The profile's traffic split over backend services; undefined: this service's own endpoints. */
  split: Split<Logical> | undefined;
  /** Cancels the profile watch. */
  unwatchProfile: (() => void) | undefined;

  /** When a request last asked for this service (performance.now()). */
  lastUsed = performance.now();

  pick(): Endpoint | undefined {
    const now = performance.now();
    this.lastUsed = now;
    return pickP2c(this.endpoints, now);
  }

  /** The service a request goes to: a backend of the split, or this one. */
  target(): Logical {
    const split = this.split;
    if (!split) return this;
    this.lastUsed = performance.now();
    return split.pick();
  }

  /** Requests are waiting, or in flight on one of its endpoints. */
  get busy(): boolean {
    if (this.#queue.size > 0) return true;
    for (const ep of this.endpoints) if (ep.inflight > 0) return true;
    return false;
  }

  /** The service's failure accrual (from its profile, else the proxy's default), applied to its endpoints at once. */
  configureBreaker(settings: BreakerSettings): void {
    if (sameBreakerSettings(this.#breaker, settings)) return;
    this.#breaker = settings;
    for (const ep of this.#byKey.values()) ep.useBreaker(settings, this.#refresh);
    this.#rebuild();
  }

  /** Waits (bounded) for an endpoint; `waiter` runs exactly once. */
  enqueue(waiter: Waiter): void {
    if (this.#queue.size >= this.#opts.queueCapacity) {
      waiter(undefined, new ProxyError('WEFT_PROXY_QUEUE_FULL', `${this.authority}: request queue is full`));
      return;
    }
    const entry: Queued = {
      waiter,
      timer: setTimeout(() => {
        this.#queue.delete(entry);
        waiter(
          undefined,
          new ProxyError(
            'WEFT_PROXY_NO_ENDPOINTS',
            `${this.authority}: no endpoints within ${this.#opts.failFastMs}ms`,
          ),
        );
      }, this.#opts.failFastMs),
    };
    this.#queue.add(entry);
  }

  #apply(update: Update): void {
    switch (update.kind) {
      case 'reset': {
        const keep = new Set(update.endpoints.map((e) => e.key));
        for (const [key, ep] of this.#byKey) {
          if (!keep.has(key)) this.#remove(key, ep);
        }
        for (const meta of update.endpoints) this.#upsert(meta);
        break;
      }
      case 'add':
        for (const meta of update.endpoints) this.#upsert(meta);
        break;
      case 'remove':
        for (const key of update.keys) {
          const ep = this.#byKey.get(key);
          if (ep) this.#remove(key, ep);
        }
        break;
      case 'doesNotExist':
        for (const [key, ep] of this.#byKey) this.#remove(key, ep);
        break;
    }
    this.#rebuild();
  }

  /** The ready set: every endpoint but those a breaker has ejected. */
  #rebuild(): void {
    const ready: Endpoint[] = [];
    for (const ep of this.#byKey.values()) if (!ep.breaker || ep.breaker.available) ready.push(ep);
    this.endpoints = ready;
    if (ready.length > 0) this.#flush();
  }

  #upsert(meta: EndpointMeta): void {
    const existing = this.#byKey.get(meta.key);
    // Same address, same identity: keep its pools and load estimate.
    if (existing && existing.meta.tls?.name === meta.tls?.name) return;
    if (existing) existing.drain();
    this.#byKey.set(meta.key, this.#make(meta, this.#breaker, this.#refresh));
  }

  #remove(key: string, ep: Endpoint): void {
    this.#byKey.delete(key);
    ep.drain();
  }

  #flush(): void {
    for (const entry of this.#queue) {
      const ep = this.pick();
      if (!ep) return;
      this.#queue.delete(entry);
      clearTimeout(entry.timer);
      entry.waiter(ep, undefined);
    }
  }

  close(): void {
    this.#unsubscribe();
    this.unwatchProfile?.();
    for (const [key, ep] of this.#byKey) this.#remove(key, ep);
    for (const entry of this.#queue) {
      clearTimeout(entry.timer);
      entry.waiter(undefined, new ProxyError('WEFT_PROXY_SHUTTING_DOWN', `${this.authority}: proxy is shutting down`));
    }
    this.#queue.clear();
  }
}
