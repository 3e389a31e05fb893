import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from '../config/services.ts';
import { emojivotoPropagator } from './propagation.ts';

export interface Tracing {
  /** Exports what is buffered and stops; call before the process exits. */
  shutdown(): Promise<void>;
}

/**
 * Installs the process-wide tracer provider, context manager and propagator.
 * The vote-bot is the root of every trace and samples everything (AlwaysOn);
 * the services follow their caller's sampled flag (parent-based), and start
 * a sampled trace themselves when a request arrives without one.
 */
export function startTracing(config: TracingConfig, sampling: 'always' | 'parent-based'): Tracing {
  const root = new AlwaysOnSampler();
  const spanProcessors: SpanProcessor[] = [];
  if (config.otlpEndpoint !== undefined) {
    spanProcessors.push(
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: config.otlpEndpoint }),
        scheduledDelayMillis: config.exportDelayMs,
      }),
    );
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
    sampler: sampling === 'always' ? root : new ParentBasedSampler({ root }),
    spanProcessors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(emojivotoPropagator());
  trace.setGlobalTracerProvider(provider);
  return { shutdown: () => provider.shutdown() };
}
