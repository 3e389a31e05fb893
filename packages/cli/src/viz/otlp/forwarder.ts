import { Client, credentials } from '@grpc/grpc-js';
import { TRACE_EXPORT_PATH } from './schema.ts';

// Sends OTLP trace exports on to the user's own collector (Jaeger's 4317, an
// OpenTelemetry Collector) over OTLP/gRPC, as protobuf bytes. The apps'
// exports arrive as protobuf and go on unchanged; the proxies' arrive as OTLP
// JSON and are encoded first. Forwarding never slows the mesh: at most
// MAX_IN_FLIGHT exports wait on the collector, and past that they are dropped
// and counted.

const MAX_IN_FLIGHT = 64;
const DEADLINE_MS = 10_000;
const raw = (b: Buffer) => b;

export interface OtlpForwarder {
  /** host:port of the collector. */
  readonly target: string;
  forward(bytes: Buffer): void;
  /** Exports the collector refused, or dropped because it was slow. */
  failures(): number;
  close(): void;
}

export function otlpForwarder(target: string): OtlpForwarder {
  const client = new Client(target, credentials.createInsecure());
  let inflight = 0;
  let failures = 0;
  return {
    target,
    forward(bytes) {
      if (inflight >= MAX_IN_FLIGHT) {
        failures++;
        return;
      }
      inflight++;
      client.makeUnaryRequest(TRACE_EXPORT_PATH, raw, raw, bytes, { deadline: Date.now() + DEADLINE_MS }, (err) => {
        inflight--;
        if (err) failures++;
      });
    },
    failures: () => failures,
    close: () => client.close(),
  };
}
