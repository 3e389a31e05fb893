import { describe, expect, it } from 'vitest';
import { continueTrace } from './context.ts';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const P = '00f067aa0ba902b7';
const S = 'aaaaaaaaaaaaaaaa';

describe('trace context', () => {
  it('continues a sampled traceparent, keeping version, flags and extra fields', () => {
    expect(continueTrace({ traceparent: `00-${T}-${P}-01` }, S)).toMatchObject({
      format: 'w3c',
      traceId: T,
      parentId: P,
      header: 'traceparent',
      value: `00-${T}-${S}-01`,
    });
  });

  it('prefers traceparent over B3 when both are present', () => {
    const ctx = continueTrace({ traceparent: `00-${T}-${P}-01`, b3: `${T}-${P}-1` }, S);
    expect(ctx?.format).toBe('w3c');
  });

  it('never starts a trace: unsampled, malformed or all-zero contexts give nothing', () => {
    for (const h of [
      { traceparent: `00-${T}-${P}-00` },
      { traceparent: `ff-${T}-${P}-01` },
      { traceparent: `00-${'0'.repeat(32)}-${P}-01` },
      { traceparent: 'garbage' },
      { 'x-b3-traceid': T, 'x-b3-spanid': P, 'x-b3-sampled': '0' },
      { 'x-b3-traceid': 'xyz', 'x-b3-spanid': P, 'x-b3-sampled': '1' },
      { b3: '1' },
      { b3: `${T}-${P}-0` },
      {},
    ]) {
      expect(continueTrace(h, S)).toBeUndefined();
    }
  });

  it('rewrites the single b3 header with our span and the caller as parent', () => {
    expect(continueTrace({ b3: `${T}-${P}-1` }, S)?.value).toBe(`${T}-${S}-1-${P}`);
    expect(continueTrace({ b3: `a3ce929d0e0e4736-${P}-d` }, S)?.traceId).toBe(`${'0'.repeat(16)}a3ce929d0e0e4736`);
  });
});
