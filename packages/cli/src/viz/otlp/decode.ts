import { ExportTraceServiceRequest } from './schema.ts';
import type { SpanRecord } from './span.ts';

// OTLP trace exports, from protobuf (gRPC and HTTP) or the OTLP JSON mapping,
// into flat span records. Both arrive at the same object shape: protobufjs's
// toObject uses the JSON mapping's camelCase names, and ids are bytes in one
// and hex strings in the other.

type Obj = Record<string, unknown>;

/** Bounds one export; a larger one is refused rather than held in memory. */
export const MAX_SPANS_PER_EXPORT = 10_000;

export function decodeProtobufExport(bytes: Uint8Array): SpanRecord[] {
  const message = ExportTraceServiceRequest.decode(bytes);
  return spansFromExport(ExportTraceServiceRequest.toObject(message, { longs: String }) as Obj);
}

export function decodeJsonExport(body: unknown): SpanRecord[] {
  if (typeof body !== 'object' || body === null) throw new Error('an OTLP JSON export is an object');
  return spansFromExport(body as Obj);
}

function spansFromExport(request: Obj): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (const rs of list(request.resourceSpans)) {
    const resource = attributes(list((rs.resource as Obj | undefined)?.attributes));
    const service = String(resource['service.name'] ?? 'unknown_service');
    for (const ss of list(rs.scopeSpans)) {
      for (const span of list(ss.spans)) {
        if (out.length >= MAX_SPANS_PER_EXPORT) throw new Error(`an export of more than ${MAX_SPANS_PER_EXPORT} spans`);
        out.push(toRecord(span, service));
      }
    }
  }
  return out;
}

function toRecord(span: Obj, service: string): SpanRecord {
  const traceId = hexId(span.traceId, 16, 'traceId');
  const spanId = hexId(span.spanId, 8, 'spanId');
  const parent = span.parentSpanId === undefined || span.parentSpanId === '' ? undefined : span.parentSpanId;
  const parentSpanId = parent === undefined ? undefined : hexId(parent, 8, 'parentSpanId');
  const start = nanos(span.startTimeUnixNano);
  const end = nanos(span.endTimeUnixNano);
  const status = (span.status ?? {}) as Obj;
  return {
    traceId,
    spanId,
    parentSpanId: parentSpanId && !/^0+$/.test(parentSpanId) ? parentSpanId : undefined,
    name: typeof span.name === 'string' ? span.name : '',
    service,
    kind: Number(span.kind ?? 0) || 0,
    startUs: Number(start / 1000n),
    durationUs: end > start ? Number((end - start) / 1000n) : 0,
    error: Number(status.code ?? 0) === 2 || status.code === 'STATUS_CODE_ERROR',
    statusMessage: typeof status.message === 'string' && status.message !== '' ? status.message : undefined,
    attributes: attributes(list(span.attributes)),
  };
}

/** The objects of an array field; anything else is none. */
export function list(value: unknown): Obj[] {
  return Array.isArray(value) ? value.filter((v): v is Obj => typeof v === 'object' && v !== null) : [];
}

function hexId(value: unknown, bytes: number, field: string): string {
  const hex =
    value instanceof Uint8Array
      ? Buffer.from(value).toString('hex')
      : typeof value === 'string'
        ? value.toLowerCase()
        : '';
  if (hex.length !== bytes * 2 || !/^[0-9a-f]+$/.test(hex)) throw new Error(`span ${field} is not ${bytes} bytes`);
  return hex;
}

function nanos(value: unknown): bigint {
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value));
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value);
  return 0n;
}

/** Attributes flattened to scalars; arrays and maps are kept as their JSON text. */
function attributes(kvs: Obj[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of kvs.slice(0, 128)) {
    if (typeof kv.key !== 'string') continue;
    const v = (kv.value ?? {}) as Obj;
    if (typeof v.stringValue === 'string') out[kv.key] = v.stringValue;
    else if (typeof v.boolValue === 'boolean') out[kv.key] = v.boolValue;
    else if (v.intValue !== undefined) out[kv.key] = Number(v.intValue);
    else if (v.doubleValue !== undefined) out[kv.key] = Number(v.doubleValue);
    else if (v.arrayValue !== undefined || v.kvlistValue !== undefined)
      out[kv.key] = JSON.stringify(v.arrayValue ?? v.kvlistValue);
  }
  return out;
}
