/** A Prometheus counter with labels, rendered in the text exposition format. */
export class Counter {
  readonly name: string;
  readonly help: string;
  readonly #labelNames: readonly string[];
  readonly #values = new Map<string, number>();

  constructor(name: string, help: string, labelNames: readonly string[]) {
    this.name = name;
    this.help = help;
    this.#labelNames = labelNames;
  }

  inc(labels: Readonly<Record<string, string>>, by = 1): void {
    const key = this.#labelNames.map((n) => `${n}="${escapeLabel(labels[n] ?? '')}"`).join(',');
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, value] of this.#values) lines.push(`${this.name}{${key}} ${value}`);
    return `${lines.join('\n')}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
