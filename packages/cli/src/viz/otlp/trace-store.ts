import type { SpanRecord } from './span.ts';

// The most recent traces, bounded in count and in spans per trace. A trace
// that receives a span moves to the newest end, so a long trace whose spans
// keep arriving is not evicted halfway.

export interface TraceSummary {
  readonly traceId: string;
  readonly rootService: string;
  readonly rootSpan: string;
  /** Microseconds since the epoch of the earliest span. */
  readonly startUs: number;
  /** From the earliest start to the latest end of any span. */
  readonly durationUs: number;
  readonly spans: number;
  readonly errors: number;
  readonly services: readonly string[];
}

export class TraceStore {
  readonly #maxTraces: number;
  readonly #maxSpans: number;
  readonly #traces = new Map<string, SpanRecord[]>();
  /** Spans refused because their trace was full. */
  dropped = 0;

  constructor(maxTraces = 1000, maxSpansPerTrace = 2000) {
    this.#maxTraces = maxTraces;
    this.#maxSpans = maxSpansPerTrace;
  }

  add(spans: readonly SpanRecord[]): void {
    for (const span of spans) {
      const existing = this.#traces.get(span.traceId) ?? [];
      this.#traces.delete(span.traceId);
      if (existing.length < this.#maxSpans) existing.push(span);
      else this.dropped++;
      this.#traces.set(span.traceId, existing);
    }
    for (const oldest of this.#traces.keys()) {
      if (this.#traces.size <= this.#maxTraces) break;
      this.#traces.delete(oldest);
    }
  }

  get(traceId: string): readonly SpanRecord[] | undefined {
    return this.#traces.get(traceId.toLowerCase());
  }

  /** Newest first; `service` keeps traces with at least one span of that service. */
  list(limit: number, service?: string): TraceSummary[] {
    const out: TraceSummary[] = [];
    for (const spans of [...this.#traces.values()].reverse()) {
      if (out.length >= limit) break;
      if (service && !spans.some((s) => s.service === service)) continue;
      out.push(summarize(spans));
    }
    return out;
  }
}

export function summarize(spans: readonly SpanRecord[]): TraceSummary {
  const ids = new Set(spans.map((s) => s.spanId));
  // The root is the span without a parent; when it has not arrived (yet), the
  // earliest span whose parent is missing stands in, as Jaeger shows it.
  const byStart = [...spans].sort((a, b) => a.startUs - b.startUs);
  const root =
    byStart.find((s) => s.parentSpanId === undefined) ??
    byStart.find((s) => !ids.has(s.parentSpanId ?? '')) ??
    byStart[0];
  const start = byStart[0]?.startUs ?? 0;
  const end = Math.max(...spans.map((s) => s.startUs + s.durationUs));
  return {
    traceId: root?.traceId ?? '',
    rootService: root?.service ?? '',
    rootSpan: root?.name ?? '',
    startUs: start,
    durationUs: end - start,
    spans: spans.length,
    errors: spans.filter((s) => s.error).length,
    services: [...new Set(spans.map((s) => s.service))].sort(),
  };
}
