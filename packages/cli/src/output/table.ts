// Tables as Linkerd's CLI prints them: upper-case headers, columns padded to
// their widest cell and separated by three spaces, no trailing blanks.

export type Cell = string | number;

export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = [headers, ...rows].map((r) => r.map(String));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  return `${cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('   ')).join('\n')}\n`;
}

export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export const NONE = '-';

/** `100.00%`, or `-` when nothing answered. */
export function formatSuccess(rate: number | undefined): string {
  return rate === undefined ? NONE : `${(rate * 100).toFixed(2)}%`;
}

/**
 * `2.0rps` (one decimal, as Linkerd prints it). A route that gets a request
 * every half minute is not idle: below 0.1 rps two significant digits show
 * (`0.033rps`) where one decimal would print a misleading `0.0rps`.
 */
export function formatRps(rps: number | undefined): string {
  if (rps === undefined) return NONE;
  return rps > 0 && rps < 0.1 ? `${rps.toPrecision(2)}rps` : `${rps.toFixed(1)}rps`;
}

/** Whole milliseconds, `-` when there were no observations. */
export function formatLatency(ms: number | undefined): string {
  return ms === undefined ? NONE : `${Math.round(ms)}ms`;
}

/** `1m`, `30s`, `1m30s`: the window as a duration flag would take it. */
export function formatWindow(seconds: number): string {
  // Short recorded spans keep a decimal, so a fresh `weft dev` does not read "0s".
  if (seconds < 10 && !Number.isInteger(seconds)) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m === 0 ? `${s}s` : s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
}

/** Microseconds as `1.23s`, `45.6ms` or `789µs`. */
export function formatMicros(us: number): string {
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(2)}s`;
  if (us >= 1000) return `${(us / 1000).toFixed(us >= 100_000 ? 0 : 1)}ms`;
  return `${Math.round(us)}µs`;
}
