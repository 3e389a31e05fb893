// The shapes the viz API answers are the CLI's own, imported as types only:
// the page and `weft ... -o json` cannot drift apart.

export type { TapEvent } from '../../../api/src/tap.ts';
export type { StatJsonRow } from '../../../cli/src/output/stat-table.ts';
export type { CheckCategory } from '../../../cli/src/viz/check/result.ts';
export type { SpanRecord } from '../../../cli/src/viz/otlp/span.ts';
export type { TraceSummary } from '../../../cli/src/viz/otlp/trace-store.ts';
export type { FolderRead } from '../../../cli/src/viz/resource-folder.ts';
export type { TopRow } from '../../../cli/src/viz/top.ts';
export type { LocalProcess } from '../../../cli/src/viz/workload.ts';

import type { edgesJson, routesJson } from '../../../cli/src/output/json-rows.ts';
import type { StatJsonRow } from '../../../cli/src/output/stat-table.ts';
import type { checksJson } from '../../../cli/src/viz/check/result.ts';
import type { TopRow } from '../../../cli/src/viz/top.ts';
import type { LocalProcess } from '../../../cli/src/viz/workload.ts';

export type RouteJsonRow = ReturnType<typeof routesJson>[number];
export type EdgeJsonRow = ReturnType<typeof edgesJson>[number];

export interface StatResponse {
  readonly rows: StatJsonRow[];
  readonly windowSeconds: number;
}
/** `weft stat` at past moments, oldest first. */
export interface StatSeriesResponse {
  readonly windowSeconds: number;
  readonly stepSeconds: number;
  readonly points: { readonly at: number; readonly rows: StatJsonRow[] }[];
}
export interface RoutesResponse {
  readonly rows: RouteJsonRow[];
  readonly windowSeconds: number;
}
export interface EdgesResponse {
  readonly rows: EdgeJsonRow[];
}
export interface TopResponse {
  readonly rows: TopRow[];
  readonly windowSeconds: number;
  readonly byRoute: boolean;
}
export type CheckResponse = ReturnType<typeof checksJson> & { processes: LocalProcess[] };
