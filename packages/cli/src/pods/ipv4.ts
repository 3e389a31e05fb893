// IPv4 prefixes as numbers, for choosing the pods' subnet and numbering
// addresses in it. IPv4 only: the pod network has no IPv6 addresses yet.

/** An IPv4 prefix: its first address as an unsigned 32-bit number, and its length. */
export interface Prefix {
  readonly base: number;
  readonly length: number;
}

const QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The address as a number, or undefined when it is not a dotted quad. */
function parseIpv4(text: string): number | undefined {
  const m = QUAD.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((n, o) => n * 256 + o, 0);
}

const formatIpv4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

const mask = (length: number): number => (length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0);

/** `a.b.c.d/len` or a bare address (a /32); undefined for anything else (IPv6, `default`). */
export function parsePrefix(text: string): Prefix | undefined {
  const [addr = '', len, extra] = text.split('/');
  const n = parseIpv4(addr);
  const length = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : -1;
  if (n === undefined || extra !== undefined || length < 0 || length > 32) return undefined;
  return { base: (n & mask(length)) >>> 0, length };
}

export const formatPrefix = (p: Prefix): string => `${formatIpv4(p.base)}/${p.length}`;

/** Whether the two prefixes share any address. */
export function overlaps(a: Prefix, b: Prefix): boolean {
  const length = Math.min(a.length, b.length);
  return (a.base & mask(length)) >>> 0 === (b.base & mask(length)) >>> 0;
}

/** The `index`th address of the prefix (0 is the network address itself). */
export const nth = (p: Prefix, index: number): string => formatIpv4(p.base + index);

/** How many addresses the prefix holds. */
export const size = (p: Prefix): number => 2 ** (32 - p.length);
