import type { GoldenRow, RouteFamily } from './golden.ts';
import type { Sample } from './prom-text.ts';

// Where `weft stat`, `routes`, `edges` and `top` get their figures: the viz
// server's scrape recorder, or a real Prometheus. Both answer the same
// questions, so the commands do not know which one they read.

/** Label equality matchers, as `{direction="inbound",namespace="emojivoto"}`. */
export type Matchers = Readonly<Record<string, string>>;

export interface GoldenSelector {
  /** '' for the proxy's families, 'route_' for per-route ones, 'route_actual_' for per-route attempts (with retries). */
  readonly family: RouteFamily;
  readonly match: Matchers;
  readonly groupBy: readonly string[];
  /** Which tcp_open_connections series make TCP_CONN; none when absent. */
  readonly tcpMatch?: Matchers;
}

export interface GoldenResult {
  readonly rows: GoldenRow[];
  /** The window the figures cover: the one asked for, or less when history is shorter. */
  readonly windowSeconds: number;
}

/** A meshed pod the source knows of, whether or not it had traffic. */
export interface PodInfo {
  readonly namespace: string;
  readonly deployment: string;
  readonly pod: string;
  readonly services: readonly string[];
  /** Its proxy answered the last scrape. */
  readonly up: boolean;
}

export interface MetricsSource {
  readonly kind: 'recorder' | 'prometheus';
  pods(): Promise<PodInfo[]>;
  /** `at`: the window's end, in ms since the epoch; now when absent (the dashboard's charts look back). */
  golden(selector: GoldenSelector, windowSeconds: number, at?: number): Promise<GoldenResult>;
  /** The current values of some counter families, with target labels, for series that grew in the window. */
  active(names: readonly string[], match: Matchers, windowSeconds: number): Promise<Sample[]>;
}

export function matches(labels: Readonly<Record<string, string>>, match: Matchers): boolean {
  for (const k in match) if ((labels[k] ?? '') !== match[k]) return false;
  return true;
}
