import { randomBytes } from 'node:crypto';

// Trace context propagation, as linkerd2-proxy does it: W3C traceparent first,
// then B3 (x-b3-* headers, or the single b3 header). The proxy never starts a
// trace: it only continues one that arrives sampled, as a child span whose id
// replaces the parent id on the forwarded request, in the format it came in.

export type Format = 'w3c' | 'b3multi' | 'b3single';

export interface TraceContext {
  readonly format: Format;
  /** 32 lowercase hex digits (a 64-bit B3 id is left-padded). */
  readonly traceId: string;
  /** The caller's span: the parent of ours. */
  readonly parentId: string;
  /** Our span, sent on as the parent of the next hop. */
  readonly spanId: string;
  /** The header to rewrite and its new value. */
  readonly header: string;
  readonly value: string;
}

/** Headers as node:http and node:http2 present them (lower-case names). */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

const W3C = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const HEX_ID = /^[0-9a-f]{16}$|^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO = /^0+$/;

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function newSpanId(): string {
  return randomBytes(8).toString('hex');
}

/** A cheap test that the headers may carry a trace context at all. */
export function mayCarryContext(h: HeaderBag): boolean {
  return h.traceparent !== undefined || h['x-b3-sampled'] !== undefined || h.b3 !== undefined;
}

/**
 * The child context of a sampled request, or undefined when the request
 * carries no context, an invalid one, or one that is not sampled.
 */
export function continueTrace(h: HeaderBag, spanId = newSpanId()): TraceContext | undefined {
  const tp = one(h.traceparent);
  if (tp !== undefined) {
    const m = W3C.exec(tp.trim().toLowerCase());
    if (!m || m[1] === 'ff' || ZERO.test(m[2] as string) || ZERO.test(m[3] as string)) return undefined;
    if ((Number.parseInt(m[4] as string, 16) & 1) === 0) return undefined;
    const value = `${m[1]}-${m[2]}-${spanId}-${m[4]}${m[5] ?? ''}`;
    return { format: 'w3c', traceId: m[2] as string, parentId: m[3] as string, spanId, header: 'traceparent', value };
  }
  const sampled = one(h['x-b3-sampled']);
  if (sampled !== undefined) {
    if (sampled !== '1' && sampled !== 'true') return undefined;
    const traceId = one(h['x-b3-traceid'])?.toLowerCase();
    const parentId = one(h['x-b3-spanid'])?.toLowerCase();
    if (!traceId || !parentId || !HEX_ID.test(traceId) || !SPAN_ID.test(parentId)) return undefined;
    return {
      format: 'b3multi',
      traceId: traceId.padStart(32, '0'),
      parentId,
      spanId,
      header: 'x-b3-spanid',
      value: spanId,
    };
  }
  const b3 = one(h.b3);
  if (b3 !== undefined) {
    // traceid-spanid[-sampled[-parentspanid]]; "0", "1" or "d" alone carry no ids.
    const parts = b3.trim().toLowerCase().split('-');
    const [traceId, parentId, flag] = parts;
    if (!traceId || !parentId || !HEX_ID.test(traceId) || !SPAN_ID.test(parentId)) return undefined;
    if (flag !== '1' && flag !== 'd') return undefined;
    return {
      format: 'b3single',
      traceId: traceId.padStart(32, '0'),
      parentId,
      spanId,
      header: 'b3',
      value: `${traceId}-${spanId}-${flag}-${parentId}`,
    };
  }
  return undefined;
}

/** For B3 multi-header the caller's span becomes x-b3-parentspanid too. */
export function extraHeaders(ctx: TraceContext): [string, string][] {
  return ctx.format === 'b3multi' ? [['x-b3-parentspanid', ctx.parentId]] : [];
}
