import { type handleUnaryCall, Server, ServerCredentials, type ServiceDefinition, status } from '@grpc/grpc-js';
import { decodeProtobufExport } from './decode.ts';
import type { OtlpForwarder } from './forwarder.ts';
import { TRACE_EXPORT_PATH } from './schema.ts';
import type { SpanRecord } from './span.ts';

// OTLP/gRPC TraceService.Export. Messages stay raw bytes through grpc-js so
// the same bytes can be forwarded to the user's collector without re-encoding.

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

export interface OtlpGrpcReceiver {
  /** host:port it listens on. */
  readonly address: string;
  close(): Promise<void>;
}

export async function startOtlpGrpc(opts: {
  listen: string;
  onSpans: (spans: SpanRecord[]) => void;
  /** Gets every export as received. */
  forwarder?: OtlpForwarder;
}): Promise<OtlpGrpcReceiver> {
  const exportCall: handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    let spans: SpanRecord[];
    try {
      spans = decodeProtobufExport(call.request);
    } catch (err) {
      callback({ code: status.INVALID_ARGUMENT, details: `not an OTLP trace export: ${(err as Error).message}` });
      return;
    }
    opts.onSpans(spans);
    opts.forwarder?.forward(call.request);
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
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000).unref();
      }),
  };
}
