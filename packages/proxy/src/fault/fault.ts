import type { ServerResponse } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import { PROXY_ERROR_HEADER } from '../http/headers.ts';
import type { RouteSeries } from '../metrics/http.ts';

// Fault injection per route, declared on an HTTPRoute by annotations that the
// control plane passes on in the route's labels:
//   fault.weft.dev/abort-percent  0-100: share of requests answered by the proxy
//   fault.weft.dev/abort-status   status of those answers (default 500)
//   fault.weft.dev/delay          e.g. 200ms: added before the request is sent
//   fault.weft.dev/delay-percent  0-100: share of requests delayed (default 100)
// Decided per request with one random draw each; nothing else is allocated.

export interface Fault {
  readonly abortPercent: number;
  readonly abortStatus: number;
  readonly delayMs: number;
  readonly delayPercent: number;
}

const PREFIX = 'fault.weft.dev/';

function percent(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : fallback;
}

function durationMs(value: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(value ?? '');
  if (!m) return 0;
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/** The fault a route's labels declare, or undefined when none. */
export function parseFault(labels: Readonly<Record<string, string>>): Fault | undefined {
  const abortPercent = percent(labels[`${PREFIX}abort-percent`], 0);
  const delayMs = durationMs(labels[`${PREFIX}delay`]);
  if (abortPercent === 0 && delayMs === 0) return undefined;
  const status = Number(labels[`${PREFIX}abort-status`] ?? '500');
  return {
    abortPercent,
    abortStatus: Number.isInteger(status) && status >= 100 && status <= 599 ? status : 500,
    delayMs,
    delayPercent: percent(labels[`${PREFIX}delay-percent`], 100),
  };
}

/** 'abort', a delay in ms, or 0 to go on at once. */
export function decide(fault: Fault): 'abort' | number {
  if (fault.abortPercent > 0 && Math.random() * 100 < fault.abortPercent) return 'abort';
  if (fault.delayMs > 0 && Math.random() * 100 < fault.delayPercent) return fault.delayMs;
  return 0;
}

const GRPC_FOR_STATUS: Record<number, number> = { 400: 3, 403: 7, 404: 12, 429: 8, 502: 14, 503: 14, 504: 4 };

function count(route: RouteSeries | undefined, status: number, grpcStatus: number): void {
  if (!route) return;
  route.effective.requests++;
  route.actual.requests++;
  route.effective.response(status, grpcStatus).record(0);
  route.actual.response(status, grpcStatus).record(0);
}

export function abortH1(res: ServerResponse, fault: Fault, route: RouteSeries | undefined): void {
  count(route, fault.abortStatus, -1);
  const body = 'fault injected\n';
  res.writeHead(fault.abortStatus, [
    'content-type',
    'text/plain; charset=utf-8',
    'content-length',
    String(body.length),
    PROXY_ERROR_HEADER,
    'WEFT_PROXY_FAULT_INJECTED',
  ]);
  res.end(body);
}

export function abortH2(stream: ServerHttp2Stream, grpc: boolean, fault: Fault, route: RouteSeries | undefined): void {
  if (stream.destroyed || stream.closed) return;
  const grpcStatus = grpc ? (GRPC_FOR_STATUS[fault.abortStatus] ?? 13) : -1;
  count(route, grpc ? 200 : fault.abortStatus, grpcStatus);
  try {
    if (grpc) {
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': grpcStatus,
          'grpc-message': 'fault%20injected',
          [PROXY_ERROR_HEADER]: 'WEFT_PROXY_FAULT_INJECTED',
        },
        { endStream: true },
      );
    } else {
      stream.respond({ ':status': fault.abortStatus, [PROXY_ERROR_HEADER]: 'WEFT_PROXY_FAULT_INJECTED' });
      stream.end('fault injected\n');
    }
  } catch {
    stream.destroy();
  }
}
