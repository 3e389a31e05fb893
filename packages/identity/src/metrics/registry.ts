// A small Prometheus text exposition (format 0.0.4) for the handful of
// series identity has. The proxy can append `render()` to its own /metrics.

export type Labels = Readonly<Record<string, string>>;

interface Series {
  readonly labels: Labels;
  value: number;
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly series: Map<string, Series>;
  /** Gauges read at scrape time (expiry, TTL) rather than stored. */
  readonly collect?: () => ReadonlyArray<{ labels?: Labels; value: number }>;
}

const escapeLabel = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}

export interface Gauge {
  set(value: number, labels?: Labels): void;
  get(labels?: Labels): number | undefined;
}

export class MetricsRegistry {
  readonly #families = new Map<string, Family>();

  #family(name: string, help: string, type: Family['type'], collect?: Family['collect']): Family {
    const existing = this.#families.get(name);
    if (existing) return existing;
    const family: Family = { name, help, type, series: new Map(), collect };
    this.#families.set(name, family);
    return family;
  }

  counter(name: string, help: string): Counter {
    const family = this.#family(name, help, 'counter');
    return {
      inc: (labels = {}, by = 1) => {
        const key = labelText(labels);
        const series = family.series.get(key);
        if (series) series.value += by;
        else family.series.set(key, { labels, value: by });
      },
      get: (labels = {}) => family.series.get(labelText(labels))?.value ?? 0,
    };
  }

  gauge(name: string, help: string): Gauge {
    const family = this.#family(name, help, 'gauge');
    return {
      set: (value, labels = {}) => {
        family.series.set(labelText(labels), { labels, value });
      },
      get: (labels = {}) => family.series.get(labelText(labels))?.value,
    };
  }

  /** A gauge computed on each scrape; `collect` returns no samples when there is nothing to report. */
  collectedGauge(name: string, help: string, collect: NonNullable<Family['collect']>): void {
    this.#family(name, help, 'gauge', collect);
  }

  render(): string {
    let out = '';
    for (const family of this.#families.values()) {
      const samples = family.collect
        ? family.collect().map((s) => ({ labels: s.labels ?? {}, value: s.value }))
        : [...family.series.values()];
      out += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
      for (const sample of samples) out += `${family.name}${labelText(sample.labels)} ${numberText(sample.value)}\n`;
    }
    return out;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
