import {
  Client,
  credentials,
  type handleUnaryCall,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  status,
} from '@grpc/grpc-js';
import { decodeProtobufExport } from './decode.ts';
import { TRACE_EXPORT_PATH } from './schema.ts';
import type { SpanRecord } from './span.ts';

// OTLP/gRPC TraceService.Export. Messages stay raw bytes through grpc-js so
// the same bytes can be forwarded upstream (to Jaeger) without re-encoding.

const raw = (b: Buffer) => b;

const TRACE_SERVICE: ServiceDefinition = {
  Export: {
    path: TRACE_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  },
};

/** Exports waiting on the upstream at once; beyond it, forwarding drops and counts. */
const MAX_FORWARDS_IN_FLIGHT = 64;

export interface OtlpGrpcReceiver {
  /** host:port it listens on. */
  readonly address: string;
  /** Exports the upstream refused or that were dropped because it was slow. */
  forwardFailures(): number;
  close(): Promise<void>;
}

export async function startOtlpGrpc(opts: {
  listen: string;
  onSpans: (spans: SpanRecord[]) => void;
  /** host:port of an OTLP/gRPC collector (Jaeger's 4317) that gets every export as received. */
  forwardTo?: string;
}): Promise<OtlpGrpcReceiver> {
  const upstream = opts.forwardTo ? new Client(opts.forwardTo, credentials.createInsecure()) : undefined;
  let inflight = 0;
  let failures = 0;
  const forward = (bytes: Buffer) => {
    if (!upstream) return;
    if (inflight >= MAX_FORWARDS_IN_FLIGHT) {
      failures++;
      return;
    }
    inflight++;
    upstream.makeUnaryRequest(TRACE_EXPORT_PATH, raw, raw, bytes, { deadline: Date.now() + 10_000 }, (err) => {
      inflight--;
      if (err) failures++;
    });
  };
  const exportCall: handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    let spans: SpanRecord[];
    try {
      spans = decodeProtobufExport(call.request);
    } catch (err) {
      callback({ code: status.INVALID_ARGUMENT, details: `not an OTLP trace export: ${(err as Error).message}` });
      return;
    }
    opts.onSpans(spans);
    forward(call.request);
    // An empty ExportTraceServiceResponse: full success.
    callback(null, Buffer.alloc(0));
  };
  const server = new Server({ 'grpc.max_receive_message_length': 16 << 20 });
  server.addService(TRACE_SERVICE, { Export: exportCall });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(opts.listen, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const host = opts.listen.slice(0, opts.listen.lastIndexOf(':'));
  return {
    address: `${host}:${port}`,
    forwardFailures: () => failures,
    close: () =>
      new Promise<void>((resolve) => {
        upstream?.close();
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000).unref();
      }),
  };
}
