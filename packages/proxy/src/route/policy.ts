import type { Fault } from '../fault/fault.ts';
import type { RouteSeries } from '../metrics/http.ts';
import type { RetryPolicy } from '../retry/policy.ts';

/**
 * How one request is treated, whatever the transport: what a listener sets
 * for all its requests (timeout, headers stripped, error detail), and what
 * the matched route of the profile adds. Built once per route, passed on.
 */
export interface ForwardPolicy {
  readonly responseTimeoutMs: number;
  /**
   * Request headers and trailers to remove before the upstream sees them (see isStripped):
   * the mesh's own, which only a proxy may set, or the one a meshed peer's proxy may not.
   */
  readonly stripRequest: string | undefined;
  /** A response header to remove before the client sees it. */
  readonly stripResponse: string | undefined;
  /** Whether our own error answers carry weft-proxy-error. */
  readonly informational: boolean;
  /** The matched route's series (effective: per request; actual: per attempt). */
  readonly route?: RouteSeries;
  /** Outbound, from the profile: the route's retries, and whether the timeout is the route's. */
  readonly retry?: RetryPolicy;
  readonly timeoutIsRoute?: boolean;
  /** Fault injection declared on the route. */
  readonly fault?: Fault;
}
