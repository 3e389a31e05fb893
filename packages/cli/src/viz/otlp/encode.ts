import { list } from './decode.ts';
import { ExportTraceServiceRequest } from './schema.ts';

// An OTLP JSON export (what the proxies send) as the protobuf bytes a gRPC
// collector takes. The JSON mapping differs from protobuf's own object form
// only in its ids, which are hex rather than bytes; the rest (camelCase
// names, nanoseconds as strings, enum numbers) fromObject reads as it is.
// Call it on an export decodeJsonExport accepted: ids are checked there.

type Obj = Record<string, unknown>;

const ID_FIELDS = ['traceId', 'spanId', 'parentSpanId'] as const;

export function protobufFromJsonExport(body: Obj): Buffer {
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: list(body.resourceSpans).map((rs) => ({
      ...rs,
      scopeSpans: list(rs.scopeSpans).map((ss) => ({ ...ss, spans: list(ss.spans).map(withByteIds) })),
    })),
  });
  return Buffer.from(ExportTraceServiceRequest.encode(message).finish());
}

function withByteIds(span: Obj): Obj {
  const out: Obj = { ...span };
  for (const field of ID_FIELDS) {
    const id = span[field];
    if (typeof id === 'string') out[field] = Buffer.from(id, 'hex');
  }
  return out;
}
