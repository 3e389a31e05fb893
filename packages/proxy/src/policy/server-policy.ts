// An inbound port's policy as the policy API sends it (InboundServerPolicies
// WatchPort → Server), in plain data. policy/authorize.ts compiles it.

export interface PolicyNetwork {
  readonly net: string;
  readonly except: readonly string[];
}

export type Authn =
  | { readonly kind: 'unauthenticated' }
  /** Any meshed client when `any`; else an exact identity or one under a suffix ("" is any). */
  | {
      readonly kind: 'meshTls';
      readonly any: boolean;
      readonly identities: readonly string[];
      readonly suffixes: readonly string[];
    };

export interface PolicyAuthz {
  readonly networks: readonly PolicyNetwork[];
  readonly authn: Authn | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly audit: boolean;
}

export interface PolicyRouteMatch {
  readonly path: { readonly kind: 'exact' | 'prefix' | 'regex'; readonly value: string } | undefined;
  readonly method: string;
}

export interface PolicyRoute {
  readonly labels: Readonly<Record<string, string>>;
  readonly matches: readonly PolicyRouteMatch[];
  readonly authorizations: readonly PolicyAuthz[];
}

export interface PolicyRateLimit {
  readonly totalRps: number;
  readonly identityRps: number;
  /** Per-identity limits that replace identityRps for the identities named. */
  readonly overrides: readonly { readonly rps: number; readonly identities: readonly string[] }[];
}

export interface ServerPolicy {
  /** detect, opaque, tls, http1, http2, grpc */
  readonly protocol: string;
  readonly routes: readonly PolicyRoute[];
  readonly rateLimit: PolicyRateLimit | undefined;
  readonly authorizations: readonly PolicyAuthz[];
  readonly labels: Readonly<Record<string, string>>;
}
