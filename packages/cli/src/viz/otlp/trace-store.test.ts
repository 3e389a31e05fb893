import { describe, expect, it } from 'vitest';
import type { SpanRecord } from './span.ts';
import { TraceStore } from './trace-store.ts';

const span = (traceId: string, spanId: string, parentSpanId?: string, startUs = 0): SpanRecord => ({
  traceId,
  spanId,
  parentSpanId,
  name: `span-${spanId}`,
  service: 'svc',
  kind: 2,
  startUs,
  durationUs: 10,
  error: false,
  attributes: {},
});

const id = (n: number) => n.toString(16).padStart(32, '0');

describe('TraceStore', () => {
  it('keeps the most recent traces, a trace that gets a span counting as recent', () => {
    const store = new TraceStore(2, 3);
    store.add([span(id(1), 'a'.repeat(16))]);
    store.add([span(id(2), 'b'.repeat(16))]);
    store.add([span(id(1), 'c'.repeat(16), 'a'.repeat(16))]);
    store.add([span(id(3), 'd'.repeat(16))]);
    expect(store.get(id(2))).toBeUndefined();
    expect(store.list(10).map((t) => t.traceId)).toEqual([id(3), id(1)]);
  });

  it('bounds spans per trace and counts what it refused', () => {
    const store = new TraceStore(10, 2);
    store.add([1, 2, 3].map((n) => span(id(9), n.toString(16).padStart(16, '0'))));
    expect(store.get(id(9))).toHaveLength(2);
    expect(store.dropped).toBe(1);
  });

  it('takes the earliest orphan as root when the root span has not arrived', () => {
    const store = new TraceStore();
    store.add([span(id(5), 'e'.repeat(16), 'f'.repeat(16), 100), span(id(5), '1'.repeat(16), 'e'.repeat(16), 150)]);
    expect(store.list(1)[0]).toMatchObject({ rootSpan: `span-${'e'.repeat(16)}`, spans: 2, durationUs: 60 });
  });
});
