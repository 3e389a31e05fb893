// Label sets are rendered to Prometheus text once, when a series is created;
// the request path then only increments numbers on the object it holds.

export type Labels = Readonly<Record<string, string>>;

const NEEDS_ESCAPE = /[\\"\n]/;

function escapeValue(value: string): string {
  // Most values need nothing; one test is cheaper than three replacements.
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function renderLabels(labels: Labels): string {
  let out = '';
  for (const key of Object.keys(labels)) {
    if (out !== '') out += ',';
    out += `${key}="${escapeValue(labels[key] as string)}"`;
  }
  return out;
}

export function joinLabels(a: string, b: string): string {
  if (a === '') return b;
  if (b === '') return a;
  return `${a},${b}`;
}
