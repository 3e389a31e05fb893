import type { GoldenRow } from '../metrics/golden.ts';
import { formatLatency, formatRps, formatSuccess, NONE } from './table.ts';

/** SUCCESS RPS LATENCY_P50 LATENCY_P95 LATENCY_P99 cells of one row. */
export function goldenCells(g: GoldenRow | undefined): string[] {
  const served = g !== undefined && g.responses > 0;
  return [
    formatSuccess(g?.successRate),
    served ? formatRps(g.rps) : NONE,
    formatLatency(g?.latencyMs.p50),
    formatLatency(g?.latencyMs.p95),
    formatLatency(g?.latencyMs.p99),
  ];
}

export const GOLDEN_HEADERS = ['SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99'];

const round = (n: number | undefined, digits = 3) => (n === undefined ? null : Number(n.toFixed(digits)));

/** Linkerd's JSON keys for the golden figures: a ratio for success, null where nothing answered. */
export function goldenJson(g: GoldenRow | undefined) {
  return {
    success: round(g?.successRate, 6),
    rps: g && g.responses > 0 ? round(g.rps) : null,
    latency_ms_p50: round(g?.latencyMs.p50),
    latency_ms_p95: round(g?.latencyMs.p95),
    latency_ms_p99: round(g?.latencyMs.p99),
  };
}
