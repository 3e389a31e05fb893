import { loadPackageDefinition, Server, ServerCredentials, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** A span as the receiver stores it: ids in hex, the exporting service's name. */
export interface ReceivedSpan {
  readonly service: string;
  /** The exporter's resource: where the span was made (pod, namespace, workload). */
  readonly resource: Readonly<Record<string, unknown>>;
  readonly name: string;
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly statusCode: number;
}

/** OTLP span kinds. */
export const SPAN_KIND = { SERVER: 2, CLIENT: 3 } as const;

interface KeyValue {
  key: string;
  value?: { string_value?: string; bool_value?: boolean; int_value?: string; double_value?: number };
}

interface WireSpan {
  trace_id: Buffer;
  span_id: Buffer;
  parent_span_id?: Buffer;
  name: string;
  kind?: number;
  attributes?: KeyValue[];
  status?: { code?: number };
}

interface ExportRequest {
  resource_spans?: Array<{ resource?: { attributes?: KeyValue[] }; scope_spans?: Array<{ spans?: WireSpan[] }> }>;
}

function attributeMap(attributes: KeyValue[] | undefined): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (const { key, value } of attributes ?? []) {
    map[key] = value?.string_value ?? value?.bool_value ?? value?.double_value ?? value?.int_value;
  }
  return map;
}

/** A real OTLP/gRPC trace receiver (TraceService/Export) on a free loopback port. */
export async function startOtlpReceiver(): Promise<{ endpoint: string; spans: ReceivedSpan[]; close(): void }> {
  const definition = loadSync('otlp-trace.proto', {
    includeDirs: [new URL('.', import.meta.url).pathname],
    keepCase: true,
    longs: String,
    defaults: false,
    oneofs: false,
  });
  const pkg = loadPackageDefinition(definition) as unknown as {
    opentelemetry: { proto: { collector: { trace: { v1: { TraceService: ServiceClientConstructor } } } } };
  };
  const spans: ReceivedSpan[] = [];
  const server = new Server();
  server.addService(pkg.opentelemetry.proto.collector.trace.v1.TraceService.service, {
    Export(call: { request: ExportRequest }, callback: (error: null, response: object) => void) {
      for (const resourceSpans of call.request.resource_spans ?? []) {
        const resource = attributeMap(resourceSpans.resource?.attributes);
        const service = String(resource['service.name'] ?? '');
        for (const scope of resourceSpans.scope_spans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              service,
              resource,
              name: span.name,
              kind: span.kind ?? 0,
              traceId: span.trace_id.toString('hex'),
              spanId: span.span_id.toString('hex'),
              parentSpanId: span.parent_span_id?.toString('hex') ?? '',
              attributes: attributeMap(span.attributes),
              statusCode: span.status?.code ?? 0,
            });
          }
        }
      }
      callback(null, {});
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { endpoint: `http://127.0.0.1:${port}`, spans, close: () => server.forceShutdown() };
}
