// Tap's wire format, shared by the proxy that serves it and the CLI that
// reads it: a client POSTs a TapMatch to the proxy's tap port (mTLS) and gets
// one JSON TapEvent per line. JSON rather than protobuf keeps gRPC out of the
// proxy process. Types only: importing them loads nothing at run time.

/** Which requests a watcher wants; absent fields match everything. */
export interface TapMatch {
  readonly pathPrefix?: string;
  readonly method?: string;
  readonly authority?: string;
}

/** One event of a tapped request: req (request init), rsp (response init) or end. */
export interface TapEvent {
  readonly type: 'req' | 'rsp' | 'end';
  readonly id: string;
  readonly proxy: 'in' | 'out';
  readonly src: string;
  readonly dst: string;
  readonly tls: boolean;
  readonly clientId?: string;
  readonly serverId?: string;
  readonly method: string;
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  /**
   * req: the request's headers as the proxy received them, pseudo-headers
   * aside; credentials (authorization, cookie) read "<redacted>", and at most
   * 32 headers of 512 characters are kept.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** req: the trace the request carries, when it was sampled (32 hex digits). */
  readonly traceId?: string;
  /** rsp, end */
  readonly status?: number;
  /** rsp: request init → response init; end: request init → end. */
  readonly sinceRequestInitUs?: number;
  /** end */
  readonly sinceResponseInitUs?: number;
  readonly responseBytes?: number;
  readonly grpcStatus?: number;
  readonly resetCode?: number;
}
