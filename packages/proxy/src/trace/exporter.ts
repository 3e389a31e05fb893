import { request } from 'node:http';
import { log } from '../app/log.ts';

// Batches finished spans and sends them as OTLP/HTTP JSON (POST /v1/traces)
// to a collector: the viz server's API port locally, or any OTLP/HTTP
// receiver (Jaeger :4318, an OpenTelemetry Collector). No SDK: a span is a
// small object and the JSON encoding is OTLP's own. Buffers are bounded: at
// most `maxBuffered` spans wait, one export is in flight, and spans beyond
// that are dropped and counted.

export interface SpanData {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP SpanKind: 2 server, 3 client. */
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly error: boolean;
  readonly attributes: Readonly<Record<string, string | number>>;
}

export interface ExporterOptions {
  /** host:port of an OTLP/HTTP receiver. */
  readonly collector: string;
  readonly serviceName: string;
  readonly resource?: Readonly<Record<string, string>>;
  readonly flushMs?: number;
  readonly batchSize?: number;
  readonly maxBuffered?: number;
}

export class SpanExporter {
  readonly #opts: Required<ExporterOptions>;
  readonly #host: string;
  readonly #port: number;
  #buffer: SpanData[] = [];
  #inFlight = false;
  #timer: NodeJS.Timeout | undefined;
  exported = 0;
  dropped = 0;
  failed = 0;

  constructor(opts: ExporterOptions) {
    this.#opts = { flushMs: 1000, batchSize: 100, maxBuffered: 1000, resource: {}, ...opts };
    const i = opts.collector.lastIndexOf(':');
    this.#host = opts.collector.slice(0, i).replace(/^\[|\]$/g, '');
    this.#port = Number(opts.collector.slice(i + 1));
  }

  add(span: SpanData): void {
    if (this.#buffer.length >= this.#opts.maxBuffered) {
      this.dropped++;
      return;
    }
    this.#buffer.push(span);
    if (this.#buffer.length >= this.#opts.batchSize) this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => this.flush(), this.#opts.flushMs);
      this.#timer.unref();
    }
  }

  /** Sends what is buffered (one batch at a time); resolves when that export ends. */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#inFlight || this.#buffer.length === 0) return Promise.resolve();
    const batch = this.#buffer.splice(0, this.#opts.batchSize);
    this.#inFlight = true;
    return this.#send(batch).then((ok) => {
      this.#inFlight = false;
      if (ok) this.exported += batch.length;
      else this.failed += batch.length;
      if (this.#buffer.length > 0) void this.flush();
    });
  }

  #send(batch: SpanData[]): Promise<boolean> {
    const body = JSON.stringify(this.encode(batch));
    return new Promise((resolve) => {
      const req = request(
        {
          host: this.#host,
          port: this.#port,
          method: 'POST',
          path: '/v1/traces',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          timeout: 5000,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve((res.statusCode ?? 500) < 300));
          res.on('error', () => resolve(false));
        },
      );
      req.on('timeout', () => req.destroy());
      req.on('error', (err) => {
        log.debug('span export failed', { collector: this.#opts.collector, error: err.message });
        resolve(false);
      });
      req.end(body);
    });
  }

  /** ExportTraceServiceRequest in OTLP's JSON mapping (hex ids, nanoseconds as strings). */
  encode(batch: readonly SpanData[]): unknown {
    const resource = { 'service.name': this.#opts.serviceName, ...this.#opts.resource };
    return {
      resourceSpans: [
        {
          resource: { attributes: attrs(resource) },
          scopeSpans: [
            {
              scope: { name: 'weft-proxy' },
              spans: batch.map((s) => ({
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId,
                name: s.name,
                kind: s.kind,
                startTimeUnixNano: String(s.startNs),
                endTimeUnixNano: String(s.endNs),
                attributes: attrs(s.attributes),
                status: s.error ? { code: 2 } : { code: 0 },
              })),
            },
          ],
        },
      ],
    };
  }

  close(): Promise<void> {
    return this.flush();
  }
}

function attrs(o: Readonly<Record<string, string | number>>): unknown[] {
  return Object.entries(o).map(([key, v]) => ({
    key,
    value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v },
  }));
}
