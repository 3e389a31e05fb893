import type { BreakerSettings } from '../breaker/settings.ts';
import type { EndpointMeta } from '../resolve/update.ts';

// A destination profile as the control plane sends it (GetProfile), in plain
// data: what the proxy compiles into a route table (route/table.ts), the
// service's circuit breaking (outbound/logical.ts), and, for a pod's address,
// the pod itself.

export type RequestMatch =
  | { readonly kind: 'all'; readonly matches: readonly RequestMatch[] }
  | { readonly kind: 'any'; readonly matches: readonly RequestMatch[] }
  | { readonly kind: 'not'; readonly match: RequestMatch }
  | { readonly kind: 'path'; readonly regex: string }
  | { readonly kind: 'method'; readonly method: string }
  | ({ readonly kind: 'header' } & ValueMatch)
  | ({ readonly kind: 'query' } & ValueMatch);

/** A header or query parameter: its value equal to `exact`, or else matching `regex` (anchored). */
export interface ValueMatch {
  readonly name: string;
  readonly exact: string;
  readonly regex: string | undefined;
}

export type ResponseMatch =
  | { readonly kind: 'all'; readonly matches: readonly ResponseMatch[] }
  | { readonly kind: 'any'; readonly matches: readonly ResponseMatch[] }
  | { readonly kind: 'not'; readonly match: ResponseMatch }
  | { readonly kind: 'status'; readonly min: number; readonly max: number };

export interface ResponseClass {
  readonly condition: ResponseMatch | undefined;
  readonly isFailure: boolean;
}

export interface ProfileRoute {
  readonly condition: RequestMatch | undefined;
  readonly responseClasses: readonly ResponseClass[];
  readonly labels: Readonly<Record<string, string>>;
  readonly isRetryable: boolean;
  /** 0: no route timeout. */
  readonly timeoutMs: number;
  /** The route's own backends; empty: the profile's dstOverrides apply. */
  readonly backends: readonly WeightedDst[];
}

export interface RetryBudget {
  readonly ratio: number;
  readonly minPerSecond: number;
  readonly ttlMs: number;
}

export interface WeightedDst {
  readonly authority: string;
  readonly weight: number;
}

export interface Profile {
  readonly fqn: string;
  readonly opaque: boolean;
  readonly routes: readonly ProfileRoute[];
  readonly retryBudget: RetryBudget;
  readonly dstOverrides: readonly WeightedDst[];
  /** The Service's failure accrual; undefined: it sets none, and the proxy-wide default applies. */
  readonly failureAccrual: BreakerSettings | undefined;
  /**
   * Set when the authority was a pod's `IP:port`: that pod, with its identity
   * and protocol hint, to connect to without a Get. `fqn` is then empty.
   */
  readonly endpoint: EndpointMeta | undefined;
}

/** Linkerd's default budget: 20 % extra load, at least 10 retries a second, over 10 s. */
export const DEFAULT_BUDGET: RetryBudget = { ratio: 0.2, minPerSecond: 10, ttlMs: 10_000 };

export const EMPTY_PROFILE: Profile = {
  fqn: '',
  opaque: false,
  routes: [],
  retryBudget: DEFAULT_BUDGET,
  dstOverrides: [],
  failureAccrual: undefined,
  endpoint: undefined,
};

/**
 * `known` is false when the control plane has no such service (NOT_FOUND):
 * the profile is then the default one, and the name may be made up.
 */
export type ProfileListener = (profile: Profile, known: boolean) => void;

/** Something that streams an authority's profile; the listener gets every new version whole. */
export interface ProfileSource {
  profile(authority: string, listener: ProfileListener): () => void;
}
