import type { SpanRecord } from '../viz/otlp/span.ts';
import { formatMicros, renderTable } from './table.ts';

// One trace as a terminal waterfall: spans in tree order (children under their
// parent, by start time), each with its offset from the trace's start and a
// bar placed on a shared time axis.

const BAR_WIDTH = 40;

export function renderWaterfall(spans: readonly SpanRecord[]): string {
  if (spans.length === 0) return '';
  const start = Math.min(...spans.map((s) => s.startUs));
  const end = Math.max(...spans.map((s) => s.startUs + s.durationUs));
  const total = Math.max(end - start, 1);
  const rows = treeOrder(spans).map(({ span, depth }) => {
    const from = Math.min(BAR_WIDTH - 1, Math.floor(((span.startUs - start) / total) * BAR_WIDTH));
    const width = Math.max(1, Math.round((span.durationUs / total) * BAR_WIDTH));
    const bar = ' '.repeat(from) + '█'.repeat(Math.min(width, BAR_WIDTH - from));
    return [
      span.service,
      `${'  '.repeat(depth)}${span.name}${span.error ? ' ×' : ''}`,
      formatMicros(span.startUs - start),
      formatMicros(span.durationUs),
      `|${bar.padEnd(BAR_WIDTH)}|`,
    ];
  });
  return renderTable(
    ['SERVICE', 'SPAN', 'OFFSET', 'DURATION', `0${' '.repeat(BAR_WIDTH - 1)}${formatMicros(total)}`],
    rows,
  );
}

/** Depth-first from the roots; a span whose parent never arrived is a root. */
export function treeOrder(spans: readonly SpanRecord[]): { span: SpanRecord; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, SpanRecord[]>();
  const roots: SpanRecord[] = [];
  for (const s of [...spans].sort((a, b) => a.startUs - b.startUs)) {
    if (s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      const list = children.get(s.parentSpanId) ?? [];
      list.push(s);
      children.set(s.parentSpanId, list);
    } else roots.push(s);
  }
  const out: { span: SpanRecord; depth: number }[] = [];
  const seen = new Set<SpanRecord>();
  const walk = (s: SpanRecord, depth: number) => {
    // A malformed export can make a cycle of parents; each span is drawn once.
    if (seen.has(s)) return;
    seen.add(s);
    out.push({ span: s, depth });
    for (const c of children.get(s.spanId) ?? []) walk(c, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  for (const s of spans) if (!seen.has(s)) walk(s, 0);
  return out;
}
