import { context, propagation, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type HeaderCarrier, headerGetter } from './propagation.ts';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * A server span per request, opened in onRequest from the caller's headers
 * and closed in onResponse with the status code. Handlers run their gRPC
 * calls inside `inRequestSpan` so the client spans become its children.
 */
export function traceHttpServer(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const parent = propagation.extract(context.active(), request.headers as HeaderCarrier, headerGetter);
    const route = request.routeOptions.url;
    const path = request.url.split('?', 1)[0] ?? '/';
    // Without a matched route (the page's catch-all) the name is the method
    // alone, as OTel's HTTP conventions say, so arbitrary paths do not each
    // become a span name.
    const span = trace.getTracer('emojivoto-http').startSpan(
      route === undefined ? request.method : `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: request.method,
          [ATTR_URL_PATH]: path,
          [ATTR_HTTP_ROUTE]: route ?? '',
        },
      },
      parent,
    );
    spans.set(request, span);
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}

/** Runs `work` with the request's server span active. */
export function inRequestSpan<T>(request: FastifyRequest, work: () => Promise<T>): Promise<T> {
  const span = spans.get(request);
  return span ? context.with(trace.setSpan(context.active(), span), work) : work();
}
