import { svg } from '../lib/dom.ts';
import type { Point } from '../lib/history.ts';

// A figure's recent course in a cell: a small line, no axes. Gaps (no
// traffic) break the line; a single point is a dot.

const W = 80;
const H = 18;

export function sparkline(points: readonly Point[], label: string, max?: number): SVGSVGElement {
  const values = points.map((p) => p.v).filter((v): v is number => v !== null);
  const top = max ?? Math.max(...values, 0);
  const low = max === undefined ? 0 : Math.min(...values, max);
  const span = top - low || 1;
  const step = points.length > 1 ? W / (points.length - 1) : 0;
  const segments: string[] = [];
  let current = '';
  points.forEach((p, i) => {
    if (p.v === null) {
      if (current) segments.push(current);
      current = '';
      return;
    }
    const y = H - 1 - ((p.v - low) / span) * (H - 2);
    current += `${current ? 'L' : 'M'}${(i * step).toFixed(1)},${y.toFixed(1)}`;
  });
  if (current) segments.push(current);
  return svg(
    'svg',
    { class: 'spark', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label },
    svg('path', { d: segments.join(' ') || `M0,${H - 1}` }),
  );
}
