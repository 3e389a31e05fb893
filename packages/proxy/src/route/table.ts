import { log } from '../app/log.ts';
import { parseFault } from '../fault/fault.ts';
import type { ForwardPolicy } from '../http/h1-forward.ts';
import { type Classify, defaultClassify } from '../metrics/http.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { Profile, ProfileRoute, RequestMatch, ResponseMatch } from '../profile/profile.ts';
import type { RetryBudget } from '../retry/budget.ts';

// A profile compiled once per update into a route table: request matchers as
// closures over precompiled regexes, response classes as one classifier, and
// one ForwardPolicy per route (timeout, metrics, retries) that the request
// path looks up and passes on without allocating.

type Matcher = (method: string, path: string) => boolean;

function compileRequest(m: RequestMatch | undefined): Matcher {
  if (!m) return () => true;
  switch (m.kind) {
    case 'all': {
      const all = m.matches.map(compileRequest);
      return (method, path) => all.every((f) => f(method, path));
    }
    case 'any': {
      const any = m.matches.map(compileRequest);
      return (method, path) => any.some((f) => f(method, path));
    }
    case 'not': {
      const inner = compileRequest(m.match);
      return (method, path) => !inner(method, path);
    }
    case 'path': {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${m.regex})$`);
      } catch (err) {
        log.warn('route path regex does not compile; the route never matches', {
          regex: m.regex,
          error: (err as Error).message,
        });
        return () => false;
      }
      return (_method, path) => re.test(path);
    }
    case 'method': {
      const want = m.method.toUpperCase();
      return (method) => method === want;
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

interface CompiledRoute {
  readonly match: Matcher;
  readonly policy: ForwardPolicy;
}

export class RouteTable {
  readonly #routes: readonly CompiledRoute[];
  readonly fallback: ForwardPolicy;
  readonly profile: Profile;

  constructor(profile: Profile, authority: string, base: ForwardPolicy, metrics: Metrics, budget: RetryBudget) {
    this.profile = profile;
    const policyFor = (route: ProfileRoute | undefined): ForwardPolicy => {
      const classify = compileClassify(route);
      const name = route?.labels.route ?? '';
      return {
        ...base,
        responseTimeoutMs: route && route.timeoutMs > 0 ? route.timeoutMs : base.responseTimeoutMs,
        timeoutIsRoute: route !== undefined && route.timeoutMs > 0,
        route: metrics.route({ direction: 'outbound', dst: authority, rt_route: name }, classify),
        retry: route?.isRetryable ? { classify, budget } : undefined,
        fault: route ? parseFault(route.labels) : undefined,
      };
    };
    this.#routes = profile.routes.map((r) => ({ match: compileRequest(r.condition), policy: policyFor(r) }));
    this.fallback = policyFor(undefined);
  }

  /** The policy of the first route matching; `url` may carry a query, which matching ignores. */
  lookup(method: string | undefined, url: string | undefined): ForwardPolicy {
    const routes = this.#routes;
    if (routes.length === 0) return this.fallback;
    let path = url ?? '/';
    const q = path.indexOf('?');
    if (q >= 0) path = path.slice(0, q);
    const m = method ?? 'GET';
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i] as CompiledRoute;
      if (r.match(m, path)) return r.policy;
    }
    return this.fallback;
  }
}
