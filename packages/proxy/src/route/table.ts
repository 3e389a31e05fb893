import { log } from '../app/log.ts';
import { parseFault } from '../fault/fault.ts';
import { type Classify, defaultClassify } from '../metrics/http.ts';
import type { Metrics } from '../metrics/registry.ts';
import type {
  Profile,
  ProfileRoute,
  RequestMatch,
  ResponseMatch,
  ValueMatch,
  WeightedDst,
} from '../profile/profile.ts';
import type { RetryBudget } from '../retry/budget.ts';
import type { Split } from '../split/split.ts';
import type { ForwardPolicy } from './policy.ts';
import { queryParam } from './query.ts';

// A profile compiled once per update into a route table: request matchers as
// closures over precompiled regexes, response classes as one classifier, and
// one ForwardPolicy per route (timeout, metrics, retries) that the request
// path looks up and passes on without allocating.

/** HTTP/1 and HTTP/2 header objects alike: lower-case names. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** `query` is what follows the `?`, empty when there is none. */
type Matcher = (method: string, path: string, query: string, headers: RequestHeaders) => boolean;

function anchored(regex: string, what: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${regex})$`);
  } catch (err) {
    log.warn(`route ${what} regex does not compile; the route never matches`, {
      regex,
      error: (err as Error).message,
    });
    return undefined;
  }
}

function compileValue(m: ValueMatch, what: string): ((value: string | undefined) => boolean) | undefined {
  if (m.regex === undefined) {
    const want = m.exact;
    return (v) => v === want;
  }
  const re = anchored(m.regex, what);
  return re && ((v) => v !== undefined && re.test(v));
}

function compileRequest(m: RequestMatch | undefined): Matcher {
  if (!m) return () => true;
  switch (m.kind) {
    case 'all': {
      const all = m.matches.map(compileRequest);
      return (method, path, query, headers) => all.every((f) => f(method, path, query, headers));
    }
    case 'any': {
      const any = m.matches.map(compileRequest);
      return (method, path, query, headers) => any.some((f) => f(method, path, query, headers));
    }
    case 'not': {
      const inner = compileRequest(m.match);
      return (method, path, query, headers) => !inner(method, path, query, headers);
    }
    case 'path': {
      const re = anchored(m.regex, 'path');
      return re ? (_method, path) => re.test(path) : () => false;
    }
    case 'method': {
      const want = m.method.toUpperCase();
      return (method) => method === want;
    }
    case 'header': {
      const test = compileValue(m, 'header');
      if (!test) return () => false;
      const name = m.name.toLowerCase();
      return (_method, _path, _query, headers) => {
        const v = headers[name];
        return test(Array.isArray(v) ? v.join(',') : v);
      };
    }
    case 'query': {
      const test = compileValue(m, 'query parameter');
      if (!test) return () => false;
      const name = m.name;
      return (_method, _path, query) => test(queryParam(query, name));
    }
  }
}

function compileResponse(m: ResponseMatch | undefined): (status: number) => boolean {
  if (!m) return () => true;
  switch (m.kind) {
    case 'all': {
      const all = m.matches.map(compileResponse);
      return (s) => all.every((f) => f(s));
    }
    case 'any': {
      const any = m.matches.map(compileResponse);
      return (s) => any.some((f) => f(s));
    }
    case 'not': {
      const inner = compileResponse(m.match);
      return (s) => !inner(s);
    }
    case 'status': {
      const { min, max } = m;
      return (s) => s >= min && (max === 0 || s <= max);
    }
  }
}

/** The first response class whose condition holds decides; none: 5xx and failing gRPC statuses are failures. */
export function compileClassify(route: ProfileRoute | undefined): Classify {
  if (!route || route.responseClasses.length === 0) return defaultClassify;
  const classes = route.responseClasses.map((c) => ({ test: compileResponse(c.condition), failure: c.isFailure }));
  return (status, grpcStatus) => {
    for (const c of classes) if (c.test(status)) return c.failure;
    return defaultClassify(status, grpcStatus);
  };
}

/** What a request's route decides: its forwarding policy and, when the route names its own backends, their split. */
export interface RouteEntry<T> {
  readonly policy: ForwardPolicy;
  readonly split: Split<T> | undefined;
}

interface CompiledRoute<T> extends RouteEntry<T> {
  readonly match: Matcher;
}

const NO_HEADERS: RequestHeaders = {};

export class RouteTable<T = never> {
  readonly #routes: readonly CompiledRoute<T>[];
  readonly #fallback: RouteEntry<T>;
  readonly profile: Profile;

  /**
   * Without a `budget` the table is the server side's (inbound): it only labels requests with their
   * route, as Linkerd does; timeouts, retries and faults belong to the caller's proxy. `splitOf`
   * builds a route's own split of backends (outbound). `peerLabels` (inbound: tls, client_id) follow
   * the route's labels on its series.
   */
  constructor(
    profile: Profile,
    authority: string,
    base: ForwardPolicy,
    metrics: Metrics,
    budget: RetryBudget | undefined,
    splitOf: (backends: readonly WeightedDst[]) => Split<T> | undefined = () => undefined,
    peerLabels: Readonly<Record<string, string>> = {},
  ) {
    this.profile = profile;
    const policyFor = (route: ProfileRoute | undefined): ForwardPolicy => {
      const classify = compileClassify(route);
      const name = route?.labels.route ?? '';
      const direction = budget ? 'outbound' : 'inbound';
      const series = metrics.route({ direction, dst: authority, rt_route: name, ...peerLabels }, classify);
      if (!budget) return { ...base, route: series };
      return {
        ...base,
        responseTimeoutMs: route && route.timeoutMs > 0 ? route.timeoutMs : base.responseTimeoutMs,
        timeoutIsRoute: route !== undefined && route.timeoutMs > 0,
        route: series,
        retry: route?.isRetryable ? { classify, budget } : undefined,
        fault: route ? parseFault(route.labels) : undefined,
      };
    };
    this.#routes = profile.routes.map((r) => ({
      match: compileRequest(r.condition),
      policy: policyFor(r),
      split: r.backends.length > 0 ? splitOf(r.backends) : undefined,
    }));
    this.#fallback = { policy: policyFor(undefined), split: undefined };
  }

  /** The policy of the first route matching. */
  lookup(method: string | undefined, url: string | undefined, headers: RequestHeaders = NO_HEADERS): ForwardPolicy {
    return this.route(method, url, headers).policy;
  }

  /** The first route matching; paths match without the query, query parameter conditions against it. */
  route(method: string | undefined, url: string | undefined, headers: RequestHeaders): RouteEntry<T> {
    const routes = this.#routes;
    if (routes.length === 0) return this.#fallback;
    let path = url ?? '/';
    let query = '';
    const q = path.indexOf('?');
    if (q >= 0) {
      query = path.slice(q + 1);
      path = path.slice(0, q);
    }
    const m = method ?? 'GET';
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i] as CompiledRoute<T>;
      if (r.match(m, path, query, headers)) return r;
    }
    return this.#fallback;
  }
}
