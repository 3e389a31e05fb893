/** One span as the viz server keeps it: flat, with the service it came from. */
export interface SpanRecord {
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** 16 lowercase hex digits. */
  readonly spanId: string;
  /** Absent on a root span. */
  readonly parentSpanId?: string;
  readonly name: string;
  /** The resource's service.name. */
  readonly service: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  /** Microseconds since the epoch. */
  readonly startUs: number;
  readonly durationUs: number;
  /** OTLP status code 2 (ERROR). */
  readonly error: boolean;
  readonly statusMessage?: string;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
}

export const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
