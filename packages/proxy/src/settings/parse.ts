import { ProxyError } from '../errors.ts';

// The value parsers every part of the proxy's configuration uses. A leaf:
// each part reads its own settings from WEFT_PROXY_* variables with these,
// and app/env.ts gathers the parts into the proxy's whole configuration.

/** Reads one environment variable; injectable so that parsing is testable alone. */
export type EnvReader = (name: string) => string | undefined;

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(name: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m)
    throw new ProxyError('WEFT_PROXY_CONFIG', `${name}: expected a duration like 300ms, 10s or 2m, got "${text}"`);
  return Number(m[1]) * (UNITS[m[2] as string] as number);
}

export function parseHostPort(name: string, text: string): HostPort {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m?.[1] || port > 65535) {
    throw new ProxyError('WEFT_PROXY_CONFIG', `${name}: expected host:port, got "${text}"`);
  }
  return { host: m[1], port };
}

/** An integer of at least `min`. */
export function parseCount(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    const expected = min === 0 ? 'a non-negative integer' : `an integer of at least ${min}`;
    throw new ProxyError('WEFT_PROXY_CONFIG', `${name}: expected ${expected}`);
  }
  return n;
}

/** Whether `port` is in a list like `25,3306,8000-8100`. */
export function inPortList(name: string, text: string, port: number): boolean {
  let found = false;
  for (const item of text.split(',')) {
    const entry = item.trim();
    if (entry === '') continue;
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(entry);
    const from = Number(m?.[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (!m || from < 1 || to > 65535 || from > to) {
      throw new ProxyError('WEFT_PROXY_CONFIG', `${name}: expected ports like 3306,8000-8100, got "${entry}"`);
    }
    if (port >= from && port <= to) found = true;
  }
  return found;
}

/** `8080,9090`: a list of single ports. */
export function parsePorts(name: string, text: string): number[] {
  const ports: number[] = [];
  for (const item of text.split(',')) {
    const entry = item.trim();
    if (entry === '') continue;
    const port = Number(entry);
    if (!/^\d{1,5}$/.test(entry) || port < 1 || port > 65535) {
      throw new ProxyError('WEFT_PROXY_CONFIG', `${name}: expected ports like 8080,9090, got "${entry}"`);
    }
    ports.push(port);
  }
  return ports;
}
