import { Agent, request } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import { headerSetter } from '../tracing/propagation.ts';

export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/**
 * A traced GET: each call is a client span (the root of its trace in the
 * bot) whose context travels to web as `traceparent`. `spanName` keeps one
 * span name per route rather than one per emoji.
 */
export function tracedGet(
  webHost: string,
  path: string,
  spanName: string,
  hostOverride: string | undefined,
): Promise<HttpResult> {
  const url = `http://${webHost}${path}`;
  const span = trace.getTracer('vote-bot').startSpan(spanName, {
    kind: SpanKind.CLIENT,
    attributes: { [ATTR_HTTP_REQUEST_METHOD]: 'GET', [ATTR_URL_FULL]: url, [ATTR_SERVER_ADDRESS]: webHost },
  });
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), headers, headerSetter);
  if (hostOverride !== undefined) headers.host = hostOverride;
  return new Promise<HttpResult>((resolve, reject) => {
    const req = request(url, { agent, headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  }).then(
    (result) => {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, result.status);
      if (result.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      return result;
    },
    (error: Error) => {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      span.end();
      throw error;
    },
  );
}

export function closeAgent(): void {
  agent.destroy();
}
