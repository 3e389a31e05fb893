import { apiPath, getJson } from './api.ts';
import type { StatJsonRow, StatSeriesResponse } from './types.ts';

// The recent past of a page's figures: `weft stat` at moments of the last
// minutes (/api/v1/stat/series), so charts and sparklines do not start empty.
// Asked once, after the page's first figures are on screen: the series costs
// the server a few hundred milliseconds that must not delay them.

export function lookBackOnce(
  params: Record<string, string | undefined>,
  signal: AbortSignal,
  record: (point: { readonly at: number; readonly rows: StatJsonRow[] }) => void,
): () => void {
  let asked = false;
  return () => {
    if (asked) return;
    asked = true;
    getJson<StatSeriesResponse>(apiPath('stat/series', { window: '1m', ...params }, true), signal)
      .then((series) => {
        for (const p of series.points) record(p);
      })
      // The live figures go on without it.
      .catch(() => {});
  };
}
