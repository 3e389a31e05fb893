import { isIP } from 'node:net';
import type { ForwardPolicy } from '../http/h1-forward.ts';
import type { Metrics } from '../metrics/registry.ts';
import { EMPTY_PROFILE, type Profile } from '../profile/profile.ts';
import { RouteTable } from '../route/table.ts';

// Route series on the server side (direction="inbound"), as Linkerd labels
// them: the profile of the service a request's authority names, watched from
// that service's first request on. Callers choose the authority, so only
// names are looked up (an address names no service) and at most
// MAX_AUTHORITIES of them; like the series they feed, the watches last as
// long as the proxy.

const MAX_AUTHORITIES = 16;

export type ProfileWatch = (authority: string, listener: (profile: Profile) => void) => () => void;

interface Tables {
  plain: RouteTable;
  meshed: RouteTable;
}

export class InboundRoutes {
  readonly #watch: ProfileWatch;
  readonly #metrics: Metrics;
  readonly #plain: ForwardPolicy;
  readonly #meshed: ForwardPolicy;
  readonly #tables = new Map<string, Tables>();
  readonly #unwatch: (() => void)[] = [];

  /** `plain` and `meshed` are the policies of plaintext and mTLS callers, which route policies extend. */
  constructor(watch: ProfileWatch, metrics: Metrics, plain: ForwardPolicy, meshed: ForwardPolicy) {
    this.#watch = watch;
    this.#metrics = metrics;
    this.#plain = plain;
    this.#meshed = meshed;
  }

  /** The route policy for a request, or `base` when its authority is not looked up. */
  policy(authority: string, base: ForwardPolicy, method: string | undefined, url: string | undefined): ForwardPolicy {
    const tables = this.#tables.get(authority) ?? this.#start(authority);
    if (!tables) return base;
    return (base === this.#meshed ? tables.meshed : tables.plain).lookup(method, url);
  }

  #start(authority: string): Tables | undefined {
    if (this.#tables.size >= MAX_AUTHORITIES || !isName(authority)) return undefined;
    const build = (profile: Profile): Tables => ({
      plain: new RouteTable(profile, authority, this.#plain, this.#metrics, undefined),
      meshed: new RouteTable(profile, authority, this.#meshed, this.#metrics, undefined),
    });
    const tables = build(EMPTY_PROFILE);
    this.#tables.set(authority, tables);
    this.#unwatch.push(this.#watch(authority, (profile) => this.#tables.set(authority, build(profile))));
    return tables;
  }

  close(): void {
    for (const unwatch of this.#unwatch) unwatch();
    this.#unwatch.length = 0;
  }
}

/** `name:port` or `name`, where name is a host name rather than an IP literal. */
function isName(authority: string): boolean {
  if (authority === '' || authority.startsWith('[')) return false;
  const colon = authority.lastIndexOf(':');
  const host = colon >= 0 ? authority.slice(0, colon) : authority;
  return host !== '' && isIP(host) === 0;
}
