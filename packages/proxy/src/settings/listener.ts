import { type EnvReader, parseCount, parseDuration } from './parse.ts';

// What bounds the proxy's listeners and the requests on them: timeouts and
// per-client limits, read from WEFT_PROXY_* variables with their defaults.

export interface Timeouts {
  /** Bound on reading the first bytes of a connection to learn its protocol. */
  readonly detectMs: number;
  readonly connectMs: number;
  /** How long a request may wait for an endpoint before it fails with 503. */
  readonly failFastMs: number;
  /** From request sent until response headers arrive; 504 after it. */
  readonly responseMs: number;
  /** Bound on a client sending its request headers (slowloris). */
  readonly headersMs: number;
  /** An idle client connection (keep-alive, or HTTP/2 without streams) is closed after this. */
  readonly idleMs: number;
  readonly shutdownGraceMs: number;
}

/** What one client may take of a listener; past these it is refused, not queued. */
export interface Limits {
  /** Open connections per listener; a connection past it is closed as it is accepted. */
  readonly connectionsPerListener: number;
  /** HTTP/2 streams one connection may open per second, sustained; past it: GOAWAY ENHANCE_YOUR_CALM. */
  readonly streamsPerSecond: number;
  /** Streams one connection may open at once above the sustained rate. */
  readonly streamBurst: number;
}

/**
 * What the inbound side does with a plaintext connection whose protocol
 * detection cannot name (nothing within the detect timeout, or bytes that are
 * not HTTP or TLS): hand it to the app as opaque TCP, or close it.
 */
export type UndetectedAction = 'opaque' | 'close';

export function readTimeouts(env: EnvReader): Timeouts {
  const dur = (suffix: string, fallback: string) =>
    parseDuration(`WEFT_PROXY_${suffix}`, env(`WEFT_PROXY_${suffix}`) ?? fallback);
  return {
    detectMs: dur('DETECT_TIMEOUT', '10s'),
    connectMs: dur('CONNECT_TIMEOUT', '1s'),
    failFastMs: dur('FAILFAST_TIMEOUT', '3s'),
    responseMs: dur('RESPONSE_TIMEOUT', '30s'),
    headersMs: dur('HEADERS_TIMEOUT', '10s'),
    idleMs: dur('IDLE_TIMEOUT', '60s'),
    shutdownGraceMs: dur('SHUTDOWN_GRACE_PERIOD', '120s'),
  };
}

export function readLimits(env: EnvReader): Limits {
  const count = (suffix: string, fallback: string) =>
    parseCount(`WEFT_PROXY_${suffix}`, env(`WEFT_PROXY_${suffix}`) ?? fallback, 1);
  return {
    connectionsPerListener: count('MAX_CONNECTIONS_PER_LISTENER', '10000'),
    streamsPerSecond: count('H2_STREAMS_PER_SECOND', '10000'),
    streamBurst: count('H2_STREAM_BURST', '5000'),
  };
}
