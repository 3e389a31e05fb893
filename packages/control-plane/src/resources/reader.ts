import { cpError, ErrorCode } from '../errors.ts';

// A path-aware view of untrusted JSON/YAML. Every failure names the field
// (`spec.routes[2].timeout`) so a user can fix the file without guessing.

type Json = unknown;

export class Reader {
  readonly value: Json;
  readonly path: string;

  constructor(value: Json, path = '') {
    this.value = value;
    this.path = path;
  }

  fail(message: string): never {
    throw cpError(ErrorCode.InvalidResource, `${this.path || 'document'}: ${message}`, { field: this.path });
  }

  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  field(name: string): Reader {
    const obj = this.present ? this.object() : {};
    return new Reader(obj[name], this.path ? `${this.path}.${name}` : name);
  }

  object(): Record<string, Json> {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value)) {
      this.fail(`expected an object, got ${describe(this.value)}`);
    }
    return this.value as Record<string, Json>;
  }

  items(): Reader[] {
    if (!this.present) return [];
    if (!Array.isArray(this.value)) this.fail(`expected a list, got ${describe(this.value)}`);
    return this.value.map((v, i) => new Reader(v, `${this.path}[${i}]`));
  }

  string(): string {
    if (typeof this.value !== 'string' || this.value === '')
      this.fail(`expected a non-empty string, got ${describe(this.value)}`);
    return this.value;
  }

  optString(): string | undefined {
    return this.present ? this.string() : undefined;
  }

  number(): number {
    if (typeof this.value !== 'number' || !Number.isFinite(this.value)) {
      this.fail(`expected a number, got ${describe(this.value)}`);
    }
    return this.value;
  }

  optNumber(): number | undefined {
    return this.present ? this.number() : undefined;
  }

  port(): number {
    const n = this.number();
    if (!Number.isInteger(n) || n < 1 || n > 65535) this.fail(`expected a port 1-65535, got ${n}`);
    return n;
  }

  /** A port number or a port name (Service targetPort, Server port). */
  portOrName(): number | string {
    return typeof this.value === 'string' ? this.string() : this.port();
  }

  bool(fallback = false): boolean {
    if (!this.present) return fallback;
    if (typeof this.value !== 'boolean') this.fail(`expected true or false, got ${describe(this.value)}`);
    return this.value;
  }

  stringMap(): Record<string, string> {
    if (!this.present) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.object())) {
      if (typeof v !== 'string') new Reader(v, `${this.path}.${k}`).fail(`expected a string, got ${describe(v)}`);
      out[k] = v as string;
    }
    return out;
  }

  oneOf<T extends string>(allowed: readonly T[], fallback: T): T {
    if (!this.present) return fallback;
    const s = this.string();
    if (!(allowed as readonly string[]).includes(s)) this.fail(`expected one of ${allowed.join(', ')}, got "${s}"`);
    return s as T;
  }

  /** Go-style duration ("300ms", "1.5s", "1m30s") in milliseconds. */
  durationMs(): number | undefined {
    if (!this.present) return undefined;
    const text = this.string();
    const ms = parseDurationMs(text);
    if (ms === undefined) this.fail(`expected a duration such as 300ms or 10s, got "${text}"`);
    return ms;
  }
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : undefined;
}

function describe(v: Json): string {
  if (v === undefined || v === null) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}
