import { InjectorError, InjectorErrorCode } from './errors.ts';

/** An inclusive port range; a single port has `from === to`. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/**
 * Parses Linkerd's port-list syntax: comma-separated ports and ranges
 * ("25,587,4000-5000"), blanks ignored. `source` names the annotation or flag
 * in the error so the user knows what to fix.
 */
export function parsePortList(value: string, source: string): PortRange[] {
  const ranges: PortRange[] = [];
  for (const raw of value.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
    const from = m ? Number(m[1]) : Number.NaN;
    const to = m?.[2] !== undefined ? Number(m[2]) : from;
    if (!m || from < 1 || to > 65535 || from > to) {
      throw new InjectorError(
        InjectorErrorCode.InvalidAnnotation,
        `${source}: "${item}" is not a port (1-65535) or a range of ports like 4000-5000`,
        { source, value },
      );
    }
    ranges.push({ from, to });
  }
  return ranges;
}

export const portInRanges = (port: number, ranges: readonly PortRange[]): boolean =>
  ranges.some((r) => port >= r.from && port <= r.to);

/** The comma form the proxy and proxy-init read back ("4190,4191,4000-5000"). */
export const formatPortList = (ranges: readonly PortRange[]): string =>
  ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(',');
