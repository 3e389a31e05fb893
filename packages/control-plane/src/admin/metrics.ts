import { getOrCreate } from '../map-util.ts';

/** A minimal Prometheus registry: counters and gauges with fixed label sets, rendered as text. */
export class Metrics {
  private readonly series = new Map<string, { help: string; type: 'counter' | 'gauge'; values: Map<string, number> }>();

  private family(name: string, help: string, type: 'counter' | 'gauge') {
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

  render(): string {
    const lines: string[] = [];
    for (const [name, f] of this.series) {
      lines.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      if (f.values.size === 0 && f.type === 'counter') lines.push(`${name} 0`);
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
