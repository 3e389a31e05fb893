import { getOrCreate } from '../map-util.ts';

type Kind = 'counter' | 'gauge';

interface Family {
  readonly help: string;
  readonly type: Kind;
  readonly values: Map<string, number>;
  /** Read at scrape time instead of stored (process CPU and memory). */
  readonly read?: () => number;
}

/** A minimal Prometheus registry: counters and gauges with fixed label sets, rendered as text. */
export class Metrics {
  private readonly series = new Map<string, Family>();

  private family(name: string, help: string, type: Kind) {
    return getOrCreate(this.series, name, () => ({ help, type, values: new Map<string, number>() }));
  }

  counter(name: string, help: string) {
    const f = this.family(name, help, 'counter');
    return (labels: Record<string, string> = {}, by = 1) => {
      const key = renderLabels(labels);
      f.values.set(key, (f.values.get(key) ?? 0) + by);
    };
  }

  gauge(name: string, help: string) {
    const f = this.family(name, help, 'gauge');
    return (labels: Record<string, string>, value: number) => {
      f.values.set(renderLabels(labels), value);
    };
  }

  /** An unlabelled series whose value is read on each scrape; a counter's reads never go down. */
  sampled(name: string, help: string, type: Kind, read: () => number): void {
    this.series.set(name, { help, type, values: new Map(), read });
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, f] of this.series) {
      lines.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      if (f.read) lines.push(`${name} ${f.read()}`);
      else if (f.values.size === 0 && f.type === 'counter') lines.push(`${name} 0`);
      for (const [labels, value] of f.values) lines.push(`${name}${labels} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

const renderLabels = (labels: Record<string, string>) => {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
};
