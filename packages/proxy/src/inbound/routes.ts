import { isIP } from 'node:net';
import type { Metrics } from '../metrics/registry.ts';
import { EMPTY_PROFILE, type Profile } from '../profile/profile.ts';
import { RateLimiter } from '../ratelimit/limiter.ts';
import type { ForwardPolicy } from '../route/policy.ts';
import { type RequestHeaders, RouteTable } from '../route/table.ts';

// Route series on the server side (direction="inbound"), as Linkerd labels
// them, with the caller (tls, client_id) as on the other inbound series: the
// profile of the service a request names, looked up on its first request.
// Callers choose the authority, so only a name the control plane knows keeps
// a watch of its own (and gets series once its profile declares routes, even
// if that comes later); any other name (an address, a made-up one) shares the
// plain inbound policy, and its lookup ends once the answer says so. Lookups
// in flight and their rate are bounded, and an unknown name is not looked up
// again for a while, so no caller can crowd a known service out.

/** Profile lookups of names not yet known to declare routes, at once. */
const MAX_LOOKUPS = 16;
/**
 * New lookups a second: a caller sending a new made-up Host on every request
 * would otherwise have the proxy open a control-plane call for each (and hold
 * the garbage of thousands of them); past this, such names share the plain policy.
 */
const LOOKUPS_PER_SECOND = 50;
/**
 * Names the control plane knows (with routes or, for now, without): it, not
 * callers, decides which, so a ServiceProfile applied later takes effect at once.
 */
const MAX_DECLARED = 256;
/** Names found without routes, remembered (oldest forgotten first) so they are not looked up on every request. */
const MAX_UNDECLARED = 1024;
const UNDECLARED_TTL_MS = 60_000;
const MAX_CALLERS = 64;

export type ProfileWatch = (authority: string, listener: (profile: Profile, known: boolean) => void) => () => void;

interface Watched {
  profile: Profile;
  /** True once the profile named routes. */
  declared: boolean;
  /** True once the control plane answered that it knows the name; until then the lookup is in flight. */
  known: boolean;
  unwatch: () => void;
  /** Compiled per caller on first use; emptied when the profile changes. */
  readonly tables: Map<string, RouteTable>;
}

export class InboundRoutes {
  readonly #watch: ProfileWatch;
  readonly #metrics: Metrics;
  /** Declared names and lookups in flight. */
  readonly #watched = new Map<string, Watched>();
  readonly #undeclared = new Map<string, number>();
  readonly #lookupRate = new RateLimiter(LOOKUPS_PER_SECOND, 0);
  #lookups = 0;
  #declared = 0;

  constructor(watch: ProfileWatch, metrics: Metrics) {
    this.#watch = watch;
    this.#metrics = metrics;
  }

  /** The route policy for a request from `clientId` (undefined: plaintext), or `base` when none applies. */
  policy(
    authority: string,
    clientId: string | undefined,
    base: ForwardPolicy,
    method: string | undefined,
    url: string | undefined,
    headers: RequestHeaders,
  ): ForwardPolicy {
    const watched = this.#watched.get(authority) ?? this.#lookup(authority);
    if (!watched?.declared) return base;
    const key = `${base.informational ? 'm' : 'p'} ${clientId ?? ''}`;
    let table = watched.tables.get(key);
    if (!table) {
      if (watched.tables.size >= MAX_CALLERS) return base;
      const peer: Record<string, string> = clientId
        ? { tls: 'true', client_id: clientId }
        : { tls: 'no_identity', no_tls_reason: 'no_tls_from_remote' };
      table = new RouteTable(watched.profile, authority, base, this.#metrics, undefined, undefined, peer);
      watched.tables.set(key, table);
    }
    return table.lookup(method, url, headers);
  }

  #lookup(authority: string): Watched | undefined {
    if (this.#lookups >= MAX_LOOKUPS || this.#declared >= MAX_DECLARED || !isName(authority)) return undefined;
    const since = this.#undeclared.get(authority);
    if (since !== undefined) {
      if (performance.now() - since < UNDECLARED_TTL_MS) return undefined;
      this.#undeclared.delete(authority);
    }
    if (!this.#lookupRate.admit(undefined)) return undefined;
    this.#lookups++;
    const watched: Watched = {
      profile: EMPTY_PROFILE,
      declared: false,
      known: false,
      unwatch: () => {},
      tables: new Map(),
    };
    this.#watched.set(authority, watched);
    watched.unwatch = this.#watch(authority, (profile, known) => this.#update(authority, watched, profile, known));
    return watched;
  }

  #update(authority: string, watched: Watched, profile: Profile, known: boolean): void {
    if (this.#watched.get(authority) !== watched) return;
    watched.profile = profile;
    watched.tables.clear();
    watched.declared = profile.routes.length > 0;
    // A known name keeps its watch and series when its routes go: they may come back.
    if (watched.known) return;
    this.#lookups--;
    if (known && this.#declared < MAX_DECLARED) {
      watched.known = true;
      this.#declared++;
      return;
    }
    this.#watched.delete(authority);
    // Not from inside the watch's own callback.
    queueMicrotask(() => watched.unwatch());
    if (this.#undeclared.size >= MAX_UNDECLARED) {
      this.#undeclared.delete(this.#undeclared.keys().next().value as string);
    }
    this.#undeclared.set(authority, performance.now());
  }

  close(): void {
    for (const watched of this.#watched.values()) watched.unwatch();
    this.#watched.clear();
  }
}

/** `name:port` or `name`, where name is a host name rather than an IP literal. */
function isName(authority: string): boolean {
  if (authority === '' || authority.startsWith('[')) return false;
  const colon = authority.lastIndexOf(':');
  const host = colon >= 0 ? authority.slice(0, colon) : authority;
  return host !== '' && isIP(host) === 0;
}
