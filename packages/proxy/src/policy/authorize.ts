import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { log } from '../app/log.ts';
import { RateLimiter } from '../ratelimit/limiter.ts';
import type { PolicyAuthz, PolicyRoute, PolicyRouteMatch, ServerPolicy } from './server-policy.ts';

// A port's policy compiled once per update: networks into BlockLists, route
// matches into closures, identities into a Set. A request or connection is
// then checked with a few lookups and no allocation.

type Check = (clientId: string | undefined, ip: string) => boolean;

function addNet(list: BlockList, cidr: string): void {
  const [addr = '', bits] = cidr.split('/');
  const type = isIPv6(addr) ? 'ipv6' : 'ipv4';
  if (!isIPv4(addr) && !isIPv6(addr)) throw new Error(`not an address: ${cidr}`);
  const prefix = bits === undefined ? (type === 'ipv6' ? 128 : 32) : Number(bits);
  list.addSubnet(addr, prefix, type);
}

/** Plain IPv4 for an IPv4-mapped IPv6 address. */
function normalize(ip: string): string {
  return ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
}

function inList(list: BlockList, ip: string): boolean {
  if (isIPv4(ip)) return list.check(ip, 'ipv4');
  if (isIPv6(ip)) return list.check(ip, 'ipv6');
  return false;
}

function compileAuthz(a: PolicyAuthz): Check {
  let network: (ip: string) => boolean = () => true;
  if (a.networks.length > 0) {
    const allow = new BlockList();
    const except = new BlockList();
    try {
      for (const n of a.networks) {
        addNet(allow, n.net);
        for (const e of n.except) addNet(except, e);
      }
      network = (ip) => inList(allow, ip) && !inList(except, ip);
    } catch (err) {
      log.warn('authorization network does not parse; it allows nothing', { error: (err as Error).message });
      network = () => false;
    }
  }
  const authn = a.authn;
  if (!authn) return () => false;
  if (authn.kind === 'unauthenticated') return (_id, ip) => network(ip);
  const ids = new Set(authn.identities);
  const any = authn.any || authn.suffixes.includes('');
  const suffixes = authn.suffixes.filter((s) => s !== '').map((s) => `.${s}`);
  return (id, ip) => {
    if (id === undefined || !network(ip)) return false;
    if (any || ids.has(id)) return true;
    for (const s of suffixes) if (id.endsWith(s)) return true;
    return false;
  };
}

function anyOf(checks: readonly Check[]): Check {
  if (checks.length === 1) return checks[0] as Check;
  return (id, ip) => {
    for (const c of checks) if (c(id, ip)) return true;
    return false;
  };
}

type Matcher = (method: string, path: string) => boolean;

function compileMatch(m: PolicyRouteMatch): Matcher {
  const method = m.method.toUpperCase();
  let path: (p: string) => boolean = () => true;
  const spec = m.path;
  if (spec?.kind === 'exact') path = (p) => p === spec.value;
  else if (spec?.kind === 'prefix') {
    const base = spec.value.endsWith('/') ? spec.value.slice(0, -1) : spec.value;
    path = (p) => p === base || p.startsWith(`${base}/`) || base === '';
  } else if (spec?.kind === 'regex') {
    try {
      const re = new RegExp(`^(?:${spec.value})$`);
      path = (p) => re.test(p);
    } catch {
      path = () => false;
    }
  }
  return method === '' ? (_m, p) => path(p) : (m2, p) => m2 === method && path(p);
}

interface CompiledRoute {
  readonly name: string;
  readonly match: Matcher;
  readonly allowed: Check;
}

export type Verdict = 'allow' | 'deny' | 'noRoute';

export class InboundPolicy {
  readonly policy: ServerPolicy;
  readonly opaque: boolean;
  readonly #server: Check;
  readonly #routes: readonly CompiledRoute[];
  readonly limiter: RateLimiter | undefined;

  constructor(policy: ServerPolicy) {
    this.policy = policy;
    this.opaque = policy.protocol === 'opaque' || policy.protocol === 'tls';
    this.#server = policy.authorizations.length > 0 ? anyOf(policy.authorizations.map(compileAuthz)) : () => false;
    const server = this.#server;
    this.#routes = policy.routes.map((r: PolicyRoute) => {
      const own = r.authorizations.map(compileAuthz);
      // A route's own authorizations, and the Server's, which apply to every route.
      const allowed = own.length > 0 ? anyOf([...own, server]) : server;
      const match =
        r.matches.length === 0
          ? () => true
          : (
              (ms: Matcher[]) => (m: string, p: string) =>
                ms.some((f) => f(m, p))
            )(r.matches.map(compileMatch));
      return { name: r.labels.name ?? r.labels.route ?? '', match, allowed };
    });
    const rl = policy.rateLimit;
    this.limiter =
      rl && (rl.totalRps > 0 || rl.identityRps > 0 || rl.overrides.length > 0)
        ? new RateLimiter(rl.totalRps, rl.identityRps, rl.overrides)
        : undefined;
  }

  /** Whether a connection may be opened at all (opaque ports, where there are no requests). */
  connection(clientId: string | undefined, ip: string): boolean {
    return this.#server(clientId, normalize(ip));
  }

  request(clientId: string | undefined, ip: string, method: string, url: string): Verdict {
    const addr = normalize(ip);
    const routes = this.#routes;
    if (routes.length === 0) return this.#server(clientId, addr) ? 'allow' : 'deny';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    for (const r of routes) if (r.match(method, path)) return r.allowed(clientId, addr) ? 'allow' : 'deny';
    return 'noRoute';
  }
}
