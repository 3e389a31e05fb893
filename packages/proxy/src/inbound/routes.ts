import { isIP } from 'node:net';
import type { ForwardPolicy } from '../http/h1-forward.ts';
import type { Metrics } from '../metrics/registry.ts';
import { EMPTY_PROFILE, type Profile } from '../profile/profile.ts';
import { type RequestHeaders, RouteTable } from '../route/table.ts';

// Route series on the server side (direction="inbound"), as Linkerd labels
// them, with the caller (tls, client_id) as on the other inbound series: the
// profile of the service a request names, watched from that service's first
// request on. Callers choose the authority, so only names are looked up (an
// address names no service), at most MAX_AUTHORITIES of them and
// MAX_CALLERS tables each; like the series they feed, the watches last as
// long as the proxy.

const MAX_AUTHORITIES = 16;
const MAX_CALLERS = 64;

export type ProfileWatch = (authority: string, listener: (profile: Profile) => void) => () => void;

interface Watched {
  profile: Profile;
  /** Compiled per caller on first use; emptied when the profile changes. */
  readonly tables: Map<string, RouteTable>;
}

export class InboundRoutes {
  readonly #watch: ProfileWatch;
  readonly #metrics: Metrics;
  readonly #watched = new Map<string, Watched>();
  readonly #unwatch: (() => void)[] = [];

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
    const watched = this.#watched.get(authority) ?? this.#start(authority);
    if (!watched) return base;
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

  #start(authority: string): Watched | undefined {
    if (this.#watched.size >= MAX_AUTHORITIES || !isName(authority)) return undefined;
    const watched: Watched = { profile: EMPTY_PROFILE, tables: new Map() };
    this.#watched.set(authority, watched);
    this.#unwatch.push(
      this.#watch(authority, (profile) => {
        watched.profile = profile;
        watched.tables.clear();
      }),
    );
    return watched;
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
