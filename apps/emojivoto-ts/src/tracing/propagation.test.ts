import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { emojivotoPropagator, headerGetter, headerSetter } from './propagation.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

describe('emojivoto propagation', () => {
  const propagator = emojivotoPropagator();

  it('continues a W3C traceparent', () => {
    const ctx = propagator.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-01` }, headerGetter);
    expect(trace.getSpanContext(ctx)).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
  });

  it('accepts B3 multi-header input', () => {
    const headers = { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' };
    const ctx = propagator.extract(ROOT_CONTEXT, headers, headerGetter);
    expect(trace.getSpanContext(ctx)).toMatchObject({ traceId: TRACE, spanId: SPAN });
  });

  it('prefers traceparent when both formats arrive', () => {
    const headers = { traceparent: `00-${TRACE}-${SPAN}-01`, b3: `${'1'.repeat(32)}-${'2'.repeat(16)}-1` };
    expect(trace.getSpanContext(propagator.extract(ROOT_CONTEXT, headers, headerGetter))?.traceId).toBe(TRACE);
  });

  it('injects traceparent only, never B3', () => {
    const ctx = trace.setSpanContext(context.active(), { traceId: TRACE, spanId: SPAN, traceFlags: 1 });
    const out: Record<string, string> = {};
    propagator.inject(ctx, out, headerSetter);
    expect(out).toEqual({ traceparent: `00-${TRACE}-${SPAN}-01` });
  });
});
