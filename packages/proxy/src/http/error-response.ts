import type { ServerResponse } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import type { ProxyError } from '../errors.ts';
import { PROXY_ERROR_HEADER } from './headers.ts';

// Synthetic answers for failures the proxy owns. `informational` adds the
// weft-proxy-error header (the client-side proxy strips it before the app).

export function sendH1Error(res: ServerResponse, err: ProxyError, informational: boolean): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = `${err.message}\n`;
  const headers: string[] = [
    'content-type',
    'text/plain; charset=utf-8',
    'content-length',
    String(Buffer.byteLength(body)),
    'connection',
    'close',
  ];
  if (informational) headers.push(PROXY_ERROR_HEADER, err.code);
  res.writeHead(err.status, headers);
  res.end(body);
}

export function isGrpc(contentType: string | string[] | undefined): boolean {
  return typeof contentType === 'string' && contentType.startsWith('application/grpc');
}

/** gRPC callers get a trailers-only response with grpc-status; others the HTTP status. */
export function sendH2Error(stream: ServerHttp2Stream, grpc: boolean, err: ProxyError, informational: boolean): void {
  if (stream.destroyed || stream.closed) return;
  if (stream.headersSent) {
    stream.close(0x2); // INTERNAL_ERROR
    return;
  }
  const headers: Record<string, string | number> = grpc
    ? {
        ':status': 200,
        'content-type': 'application/grpc',
        'grpc-status': err.grpcStatus,
        'grpc-message': encodeURIComponent(err.message),
      }
    : { ':status': err.status, 'content-type': 'text/plain; charset=utf-8' };
  if (informational) headers[PROXY_ERROR_HEADER] = err.code;
  try {
    if (grpc) stream.respond(headers, { endStream: true });
    else {
      stream.respond(headers);
      stream.end(`${err.message}\n`);
    }
  } catch {
    stream.destroy();
  }
}
