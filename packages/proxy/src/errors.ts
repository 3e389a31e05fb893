import { ERROR_CODES, isIdentityError } from '@weft/identity/tls';

// The proxy's one error catalogue. Every failure the proxy answers for itself
// carries a stable code; HTTP callers see it in the `weft-proxy-error` header
// together with the status below, so a 503 can be traced to its cause.

export type ProxyErrorCode =
  | 'WEFT_PROXY_CONFIG'
  | 'WEFT_PROXY_NO_ENDPOINTS'
  | 'WEFT_PROXY_QUEUE_FULL'
  | 'WEFT_PROXY_CONNECT_REFUSED'
  | 'WEFT_PROXY_CONNECT_TIMEOUT'
  | 'WEFT_PROXY_RESPONSE_TIMEOUT'
  | 'WEFT_PROXY_UPSTREAM_IO'
  | 'WEFT_PROXY_NO_TARGET'
  | 'WEFT_PROXY_SHUTTING_DOWN'
  | 'WEFT_PROXY_PEER_IDENTITY'
  | 'WEFT_PROXY_UNAUTHORIZED'
  | 'WEFT_PROXY_NO_ROUTE'
  | 'WEFT_PROXY_RATE_LIMITED'
  | 'WEFT_PROXY_FAULT_INJECTED'
  | 'WEFT_PROXY_METRICS_RENDER';

const STATUS: Record<ProxyErrorCode, number> = {
  WEFT_PROXY_CONFIG: 500,
  WEFT_PROXY_NO_ENDPOINTS: 503,
  WEFT_PROXY_QUEUE_FULL: 503,
  WEFT_PROXY_CONNECT_REFUSED: 502,
  WEFT_PROXY_CONNECT_TIMEOUT: 504,
  WEFT_PROXY_RESPONSE_TIMEOUT: 504,
  WEFT_PROXY_UPSTREAM_IO: 502,
  WEFT_PROXY_NO_TARGET: 400,
  WEFT_PROXY_SHUTTING_DOWN: 503,
  WEFT_PROXY_PEER_IDENTITY: 502,
  WEFT_PROXY_UNAUTHORIZED: 403,
  WEFT_PROXY_NO_ROUTE: 404,
  WEFT_PROXY_RATE_LIMITED: 429,
  WEFT_PROXY_FAULT_INJECTED: 500,
  WEFT_PROXY_METRICS_RENDER: 500,
};

// gRPC callers read grpc-status, not the HTTP status (which stays 200).
const GRPC_STATUS: Record<number, number> = {
  400: 3,
  403: 7,
  404: 12,
  429: 8,
  500: 13,
  502: 14,
  503: 14,
  504: 4,
};

export class ProxyError extends Error {
  readonly code: ProxyErrorCode;
  readonly status: number;
  constructor(code: ProxyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProxyError';
    this.code = code;
    this.status = STATUS[code];
  }
  get grpcStatus(): number {
    return GRPC_STATUS[this.status] ?? 2;
  }
}

/** Maps a socket-level failure talking to an upstream onto the catalogue. */
export function upstreamError(err: unknown, target: string): ProxyError {
  if (err instanceof ProxyError) return err;
  // A meshed peer that proved another identity (checkServerIdentity of @weft/identity/tls).
  if (isIdentityError(err, ERROR_CODES.PEER_IDENTITY_MISMATCH)) {
    return new ProxyError('WEFT_PROXY_PEER_IDENTITY', `${target}: ${err.message}`, { cause: err });
  }
  const e = err as (NodeJS.ErrnoException & { cause?: unknown }) | undefined;
  const cause = e?.cause as ProxyError | NodeJS.ErrnoException | undefined;
  if (cause instanceof ProxyError) return cause;
  const code = cause?.code === 'ECONNREFUSED' ? cause.code : e?.code;
  if (code === 'ECONNREFUSED') {
    return new ProxyError('WEFT_PROXY_CONNECT_REFUSED', `${target}: connection refused`, { cause: err });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new ProxyError('WEFT_PROXY_UPSTREAM_IO', `${target}: ${detail}`, { cause: err });
}
