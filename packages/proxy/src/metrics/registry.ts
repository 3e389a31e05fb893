import { GuardCounters } from './guard.ts';
import { type Classify, LATENCY_BUCKETS_MS, RequestSeries, type RouteSeries } from './http.ts';
import { joinLabels, type Labels, renderLabels } from './labels.ts';
import { TcpSeries } from './tcp.ts';

// All of the proxy's series, created on first use and kept for the process
// lifetime, rendered as Prometheus text on /metrics.

export class Metrics {
  readonly #http = new Map<string, RequestSeries>();
  readonly #tcp = new Map<string, TcpSeries>();
  readonly #route = new Map<string, RequestSeries>();
  readonly #routeActual = new Map<string, RequestSeries>();
  readonly #started = Date.now() / 1000;
  /** Errors and limits on the listeners. */
  readonly guard = new GuardCounters();

  http(labels: Labels): RequestSeries {
    return this.httpRendered(renderLabels(labels));
  }

  httpRendered(rendered: string): RequestSeries {
    let s = this.#http.get(rendered);
    if (!s) {
      s = new RequestSeries(rendered);
      this.#http.set(rendered, s);
    }
    return s;
  }

  /** Per-route series (labels direction, dst, rt_route, ...); a new profile with the same labels keeps counting. */
  route(labels: Labels, classify: Classify): RouteSeries {
    const rendered = renderLabels(labels);
    let effective = this.#route.get(rendered);
    let actual = this.#routeActual.get(rendered);
    if (!effective || !actual) {
      effective = new RequestSeries(rendered, classify);
      actual = new RequestSeries(rendered, classify);
      this.#route.set(rendered, effective);
      this.#routeActual.set(rendered, actual);
    }
    // The profile's response classes may have changed.
    effective.classify = classify;
    actual.classify = classify;
    return { effective, actual };
  }

  tcp(labels: Labels): TcpSeries {
    const rendered = renderLabels(labels);
    let s = this.#tcp.get(rendered);
    if (!s) {
      s = new TcpSeries(rendered);
      this.#tcp.set(rendered, s);
    }
    return s;
  }

  render(): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string) =>
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    renderHttp(out, '', this.#http.values());
    renderHttp(out, 'route_', this.#route.values());
    renderHttp(out, 'route_actual_', this.#routeActual.values());
    family('tcp_open_total', 'counter', 'Total count of opened connections.');
    for (const s of this.#tcp.values()) out.push(`tcp_open_total{${s.labels}} ${s.opened}`);
    family('tcp_open_connections', 'gauge', 'Number of currently-open connections.');
    for (const s of this.#tcp.values()) out.push(`tcp_open_connections{${s.labels}} ${s.open.size}`);
    family('tcp_read_bytes_total', 'counter', 'Total count of bytes read from peers.');
    for (const s of this.#tcp.values()) out.push(`tcp_read_bytes_total{${s.labels}} ${s.readBytes()}`);
    family('tcp_write_bytes_total', 'counter', 'Total count of bytes written to peers.');
    for (const s of this.#tcp.values()) out.push(`tcp_write_bytes_total{${s.labels}} ${s.writeBytes()}`);
    family('tcp_close_total', 'counter', 'Total count of closed connections.');
    for (const s of this.#tcp.values()) {
      for (const [errno, n] of s.closedByErrno)
        out.push(`tcp_close_total{${joinLabels(s.labels, `errno="${errno}"`)}} ${n}`);
    }
    this.guard.render(out);
    const cpu = process.cpuUsage();
    family('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.');
    out.push(`process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`);
    family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.');
    out.push(`process_resident_memory_bytes ${process.memoryUsage.rss()}`);
    family('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.');
    out.push(`process_start_time_seconds ${this.#started}`);
    family('proxy_build_info', 'gauge', 'Proxy build info.');
    out.push(`proxy_build_info{version="0.1.0",vendor="weft",node="${process.version}"} 1`);
    return `${out.join('\n')}\n`;
  }
}

function renderHttp(out: string[], prefix: string, all: Iterable<RequestSeries>): void {
  const family = (name: string, type: string, help: string) =>
    out.push(`# HELP ${prefix}${name} ${help}`, `# TYPE ${prefix}${name} ${type}`);
  const series = [...all];
  if (prefix !== '' && series.length === 0) return;
  family('request_total', 'counter', 'Total count of HTTP requests.');
  for (const s of series) out.push(`${prefix}request_total{${s.labels}} ${s.requests}`);
  family('response_total', 'counter', 'Total count of HTTP responses.');
  for (const s of series) {
    for (const r of s.responses()) out.push(`${prefix}response_total{${r.labels}} ${r.count}`);
  }
  family('response_latency_ms', 'histogram', 'Elapsed times between a request and its response stream end.');
  for (const s of series) {
    for (const r of s.responses()) {
      let cumulative = 0;
      for (let i = 0; i <= LATENCY_BUCKETS_MS.length; i++) {
        cumulative += r.buckets[i] as number;
        const le = i < LATENCY_BUCKETS_MS.length ? String(LATENCY_BUCKETS_MS[i]) : '+Inf';
        out.push(`${prefix}response_latency_ms_bucket{${joinLabels(r.labels, `le="${le}"`)}} ${cumulative}`);
      }
      out.push(
        `${prefix}response_latency_ms_sum{${r.labels}} ${r.sumMs}`,
        `${prefix}response_latency_ms_count{${r.labels}} ${r.count}`,
      );
    }
  }
}
