import { type EnvReader, parseHostPort } from '../settings/parse.ts';
import { SpanExporter } from './exporter.ts';
import type { RequestHooks, RequestMeta, RequestObserver, ResponseEnd } from './observe.ts';

// One span per proxy side of a sampled request: a server span on the inbound
// side, a client span on the outbound side, named by the request path as
// Linkerd names them, with the request's labels as attributes.

export interface TraceSettings {
  /** host:port of an OTLP/HTTP receiver; tracing is off without it. */
  readonly collector: string | undefined;
  readonly serviceName: string;
  /**
   * Where the spans come from, as OpenTelemetry resource attributes (from
   * OTEL_RESOURCE_ATTRIBUTES, `k8s.pod.name=web-0,k8s.namespace.name=emojivoto`):
   * what lets a collector such as Jaeger tell one pod's proxy from another's.
   */
  readonly resource: Readonly<Record<string, string>>;
}

export function readTraceSettings(env: EnvReader): TraceSettings {
  // host:port; an http:// prefix (as OTEL_EXPORTER_OTLP_ENDPOINT is written) is accepted.
  const given = env('WEFT_PROXY_TRACE_COLLECTOR_ADDR')
    ?.replace(/^http:\/\//, '')
    .replace(/\/+$/, '');
  if (given) parseHostPort('WEFT_PROXY_TRACE_COLLECTOR_ADDR', given);
  return {
    collector: given || undefined,
    serviceName: env('WEFT_PROXY_TRACE_SERVICE_NAME') || 'weft-proxy',
    resource: parseResourceAttributes(env('OTEL_RESOURCE_ATTRIBUTES') ?? ''),
  };
}

/** OTEL_RESOURCE_ATTRIBUTES: comma-separated key=value, values percent-encoded; malformed entries are skipped, as the SDKs do. */
export function parseResourceAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of text.split(',')) {
    const eq = entry.indexOf('=');
    const key = entry.slice(0, eq).trim();
    if (eq <= 0 || key === '') continue;
    try {
      out[key] = decodeURIComponent(entry.slice(eq + 1).trim());
    } catch {
      // A value that is not valid percent-encoding.
    }
  }
  return out;
}

// Wall-clock nanoseconds from the monotonic clock, anchored once.
const EPOCH_OFFSET_NS = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

// gRPC codes Linkerd counts as failures.
const GRPC_FAILURES = new Set([2, 4, 7, 13, 14, 15]);

export class Tracer implements RequestObserver {
  readonly active = false;
  readonly exporter: SpanExporter;

  constructor(settings: TraceSettings & { collector: string }) {
    this.exporter = new SpanExporter({
      collector: settings.collector,
      serviceName: settings.serviceName,
      resource: settings.resource,
    });
  }

  begin(meta: RequestMeta, startNs: bigint): RequestHooks | undefined {
    const trace = meta.trace;
    if (!trace) return undefined;
    const exporter = this.exporter;
    return {
      responseStart() {},
      end(atNs: bigint, r: ResponseEnd) {
        const attributes: Record<string, string | number> = {
          'http.method': meta.method,
          'http.path': meta.path,
          'http.host': meta.authority,
          'http.status_code': r.status,
          direction: meta.direction,
          'net.peer.addr': meta.direction === 'inbound' ? meta.src : meta.dst,
          tls: String(meta.tls),
        };
        if (r.grpcStatus >= 0) attributes['rpc.grpc.status_code'] = r.grpcStatus;
        if (meta.clientId) attributes['client.id'] = meta.clientId;
        if (meta.serverId) attributes['server.id'] = meta.serverId;
        if (r.resetCode !== undefined) attributes['http2.reset_code'] = r.resetCode;
        exporter.add({
          traceId: trace.traceId,
          spanId: trace.spanId,
          parentSpanId: trace.parentId,
          name: meta.path.split('?')[0] || '/',
          kind: meta.direction === 'inbound' ? 2 : 3,
          startNs: startNs + EPOCH_OFFSET_NS,
          endNs: atNs + EPOCH_OFFSET_NS,
          error: r.status === 0 || r.status >= 500 || GRPC_FAILURES.has(r.grpcStatus) || r.resetCode !== undefined,
          attributes,
        });
      },
    };
  }

  close(): Promise<void> {
    return this.exporter.close();
  }
}
