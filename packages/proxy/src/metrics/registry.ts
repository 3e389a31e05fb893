import { DEFAULT_METRICS_LIMITS, LabelBounds, type MetricsLimits } from './bounds.ts';
import {
  chunked,
  detectFailuresFamily,
  httpFamilies,
  overflowFamily,
  processFamilies,
  tcpFamilies,
} from './exposition.ts';
import { GuardCounters } from './guard.ts';
import { type Classify, RequestSeries, type RouteSeries } from './http.ts';
import { type Labels, renderLabels } from './labels.ts';
import { TcpSeries } from './tcp.ts';

// All of the proxy's series, created on first use and kept for the process
// lifetime, rendered as Prometheus text on /metrics. Every label set passes
// the label bounds first, so no caller can grow the registry without end.

export class Metrics {
  readonly #bounds: LabelBounds;
  readonly #http = new Map<string, RequestSeries>();
  readonly #tcp = new Map<string, TcpSeries>();
  readonly #route = new Map<string, RequestSeries>();
  readonly #routeActual = new Map<string, RequestSeries>();
  readonly #started = Date.now() / 1000;
  /** Plaintext inbound connections closed because detection named no protocol; a fixed set of reasons. */
  readonly detectFailures = { timeout: 0, unrecognized: 0 };
  /** Errors and limits on the listeners. */
  readonly guard = new GuardCounters();

  constructor(limits: MetricsLimits = DEFAULT_METRICS_LIMITS) {
    this.#bounds = new LabelBounds(limits);
  }

  /** Callers keep the series they get (unless it is `overflow`): this renders the labels on every call. */
  http(labels: Labels): RequestSeries {
    const bounded = this.#bounds.apply(labels);
    const rendered = renderLabels(bounded);
    let s = this.#http.get(rendered);
    if (!s) {
      s = new RequestSeries(rendered, undefined, bounded !== labels);
      this.#http.set(rendered, s);
    }
    return s;
  }

  /** Per-route series (labels direction, dst, rt_route, ...); a new profile with the same labels keeps counting. */
  route(labels: Labels, classify: Classify): RouteSeries {
    const bounded = this.#bounds.apply(labels);
    const rendered = renderLabels(bounded);
    let effective = this.#route.get(rendered);
    let actual = this.#routeActual.get(rendered);
    if (!effective || !actual) {
      effective = new RequestSeries(rendered, classify, bounded !== labels);
      actual = new RequestSeries(rendered, classify, bounded !== labels);
      this.#route.set(rendered, effective);
      this.#routeActual.set(rendered, actual);
    }
    // The profile's response classes may have changed.
    effective.classify = classify;
    actual.classify = classify;
    return { effective, actual };
  }

  tcp(labels: Labels): TcpSeries {
    const rendered = renderLabels(this.#bounds.apply(labels));
    let s = this.#tcp.get(rendered);
    if (!s) {
      s = new TcpSeries(rendered);
      this.#tcp.set(rendered, s);
    }
    return s;
  }

  /** The exposition in chunks of about `chunkBytes`, so a scrape never builds one string of everything. */
  render(chunkBytes = 64 * 1024): Generator<string> {
    return chunked(this.#families(), chunkBytes);
  }

  *#families(): Generator<string> {
    yield* httpFamilies('', this.#http.values());
    yield* httpFamilies('route_', this.#route.values());
    yield* httpFamilies('route_actual_', this.#routeActual.values());
    yield* tcpFamilies(this.#tcp);
    yield* overflowFamily(this.#bounds.overflows());
    yield* detectFailuresFamily(this.detectFailures);
    yield* this.guard.families();
    yield* processFamilies(this.#started);
  }
}
