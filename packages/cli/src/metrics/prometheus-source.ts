import { CliError, CliErrorCode } from '../errors.ts';
import type { GoldenRow } from './golden.ts';
import type { Sample } from './prom-text.ts';
import type { GoldenResult, GoldenSelector, Matchers, MetricsSource, PodInfo } from './source.ts';

// The same figures from a Prometheus that scrapes the proxies (with the target
// labels of deploy/local/prometheus.yml), through the queries Linkerd's viz
// runs. Latency uses increase() over the window, not irate(), so a quiet
// moment at the end of the window does not blank the percentiles.

interface VectorResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

export class PrometheusSource implements MetricsSource {
  readonly kind = 'prometheus';
  readonly #base: string;

  constructor(url: string) {
    this.#base = (/^https?:\/\//.test(url) ? url : `http://${url}`).replace(/\/+$/, '');
  }

  /** `at`: evaluation time in ms since the epoch; Prometheus's now when absent. */
  async query(promql: string, at?: number): Promise<Sample[]> {
    let res: Response;
    const time = at === undefined ? '' : `&time=${at / 1000}`;
    try {
      res = await fetch(`${this.#base}/api/v1/query?query=${encodeURIComponent(promql)}${time}`, {
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new CliError(CliErrorCode.Prometheus, `Prometheus at ${this.#base} is unreachable (${cause})`);
    }
    let body: VectorResponse;
    try {
      body = (await res.json()) as VectorResponse;
    } catch {
      throw new CliError(CliErrorCode.Prometheus, `Prometheus at ${this.#base} answered ${res.status} without JSON`);
    }
    if (body.status !== 'success' || body.data?.resultType !== 'vector') {
      throw new CliError(CliErrorCode.Prometheus, `Prometheus refused ${promql}: ${body.error ?? res.status}`);
    }
    return body.data.result.map((r) => ({
      name: r.metric.__name__ ?? '',
      labels: r.metric,
      value: Number(r.value[1]),
    }));
  }

  async pods(): Promise<PodInfo[]> {
    const up = await this.query('up{job="weft-proxy"}');
    return up
      .filter((s) => s.labels.pod)
      .map((s) => ({
        namespace: s.labels.namespace ?? '',
        deployment: s.labels.deployment ?? '',
        pod: s.labels.pod ?? '',
        services: [],
        up: s.value === 1,
      }));
  }

  async golden(selector: GoldenSelector, windowSeconds: number, at?: number): Promise<GoldenResult> {
    const f = selector.family;
    const sel = selectorText(selector.match);
    const by = (...extra: string[]) => [...extra, ...selector.groupBy].join(', ');
    const w = `${windowSeconds}s`;
    const quantile = (q: number) =>
      this.query(
        `histogram_quantile(${q}, sum(increase(${f}response_latency_ms_bucket${sel}[${w}])) by (${by('le')}))`,
        at,
      );
    const tcpSel = selector.tcpMatch ? selectorText(selector.tcpMatch) : undefined;
    const tcpQuery = (q: string) => (tcpSel ? this.query(q, at) : Promise.resolve([]));
    const [responses, p50, p95, p99, tcp, readBytes, writeBytes] = await Promise.all([
      this.query(`sum(increase(${f}response_total${sel}[${w}])) by (${by('classification')})`, at),
      quantile(0.5),
      quantile(0.95),
      quantile(0.99),
      tcpQuery(`sum(tcp_open_connections${tcpSel}) by (${by()})`),
      tcpQuery(`sum(increase(tcp_read_bytes_total${tcpSel}[${w}])) by (${by()})`),
      tcpQuery(`sum(increase(tcp_write_bytes_total${tcpSel}[${w}])) by (${by()})`),
    ]);
    const rows = new Map<string, { key: Record<string, string>; row: Mutable<GoldenRow> }>();
    const row = (labels: Record<string, string>) => {
      const key = Object.fromEntries(selector.groupBy.map((l) => [l, labels[l] ?? '']));
      const id = JSON.stringify(key);
      let entry = rows.get(id);
      if (!entry) {
        const empty = {
          key,
          responses: 0,
          successes: 0,
          successRate: undefined,
          rps: 0,
          latencyMs: {},
          tcpOpenConnections: 0,
          tcpReadBytesRate: 0,
          tcpWriteBytesRate: 0,
        };
        entry = { key, row: empty };
        rows.set(id, entry);
      }
      return entry.row;
    };
    for (const s of responses) {
      const r = row(s.labels);
      r.responses += s.value;
      if (s.labels.classification === 'success') r.successes += s.value;
    }
    const latency = (samples: Sample[], q: 'p50' | 'p95' | 'p99') => {
      for (const s of samples)
        if (Number.isFinite(s.value)) row(s.labels).latencyMs = { ...row(s.labels).latencyMs, [q]: s.value };
    };
    latency(p50, 'p50');
    latency(p95, 'p95');
    latency(p99, 'p99');
    for (const s of tcp) row(s.labels).tcpOpenConnections += s.value;
    for (const s of readBytes) row(s.labels).tcpReadBytesRate += s.value / windowSeconds;
    for (const s of writeBytes) row(s.labels).tcpWriteBytesRate += s.value / windowSeconds;
    const out: GoldenRow[] = [...rows.values()].map(({ row: r }) => ({
      ...r,
      successRate: r.responses > 0 ? r.successes / r.responses : undefined,
      rps: r.responses / windowSeconds,
    }));
    return { rows: out, windowSeconds };
  }

  async active(names: readonly string[], match: Matchers, windowSeconds: number): Promise<Sample[]> {
    const sel = selectorText(match);
    // increase() drops the metric name, so each family is its own query.
    const results = await Promise.all(
      names.map(async (name) =>
        (await this.query(`increase(${name}${sel}[${windowSeconds}s]) > 0`)).map((s) => ({ ...s, name })),
      ),
    );
    return results.flat();
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function selectorText(match: Matchers): string {
  const parts = Object.entries(match).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  return `{${parts.join(',')}}`;
}
