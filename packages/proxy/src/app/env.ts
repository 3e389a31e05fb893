import { type BreakerSettings, readBreakerSettings } from '../breaker/settings.ts';
import { ProxyError } from '../errors.ts';
import { type PolicySettings, readPolicySettings } from '../policy/settings.ts';
import { readTapSettings, type TapSettings } from '../tap/settings.ts';
import { readTraceSettings, type TraceSettings } from '../trace/tracer.ts';

// The proxy's whole configuration, read once from WEFT_PROXY_* variables into
// plain objects. Parsing takes an injectable reader so it is testable alone.

export type EnvReader = (name: string) => string | undefined;

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** A Consul-style upstream: a local port whose connections all go to one authority. */
export interface Upstream {
  readonly authority: string;
  readonly listen: HostPort;
}

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
 * Where this workload's certificate comes from: the identity service (the
 * mesh's way), or files provisioned by someone else (certificates made
 * outside the mesh, benchmarks).
 */
export type IdentitySettings =
  | {
      readonly kind: 'service';
      readonly name: string;
      readonly trustAnchorsPem: string;
      readonly serviceAddr: string;
      readonly serviceName: string;
      readonly tokenFile: string;
    }
  | {
      readonly kind: 'files';
      readonly name: string;
      readonly trustAnchorsPem: string;
      readonly certFile: string;
      readonly keyFile: string;
    };

export interface ProxyConfig {
  readonly outboundListen: HostPort;
  readonly inboundListen: HostPort;
  readonly adminListen: HostPort;
  readonly upstreams: readonly Upstream[];
  /** Where the inbound side delivers traffic: the local application. */
  readonly appAddr: HostPort;
  readonly destinationAddr: string | undefined;
  readonly destinationScheme: string;
  readonly contextToken: string;
  readonly identity: IdentitySettings | undefined;
  readonly timeouts: Timeouts;
  readonly queueCapacity: number;
  readonly limits: Limits;
  readonly discoveryIdleMs: number;
  /** Carry HTTP/1 requests to meshed peers over one HTTP/2 session (ADR 0002). */
  readonly h1OverH2: boolean;
  readonly logLevel: string;
  readonly shutdownEndpointEnabled: boolean;
  readonly trace: TraceSettings;
  readonly tap: TapSettings;
  /** Failure accrual per outbound endpoint. */
  readonly breaker: BreakerSettings;
  readonly policy: PolicySettings;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(name: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m)
    throw new ProxyError('WEFT_PROXY_CONFIG', `${name}: expected a duration like 300ms, 10s or 2m, got "${text}"`);
  return Number(m[1]) * (UNITS[m[2] as string] as number);
}

export function parseHostPort(name: string, text: string): HostPort {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m?.[1] || port > 65535) {
    throw new ProxyError('WEFT_PROXY_CONFIG', `${name}: expected host:port, got "${text}"`);
  }
  return { host: m[1], port };
}

/** `name:port=127.0.0.1:15001,...` */
export function parseUpstreams(name: string, text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const item of text.split(',')) {
    const entry = item.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new ProxyError('WEFT_PROXY_CONFIG', `${name}: expected authority=host:port, got "${entry}"`);
    const authority = entry.slice(0, eq);
    parseHostPort(name, authority);
    out.push({ authority, listen: parseHostPort(name, entry.slice(eq + 1)) });
  }
  return out;
}

export function readConfig(env: EnvReader): ProxyConfig {
  const str = (suffix: string, fallback: string): string => env(`WEFT_PROXY_${suffix}`) ?? fallback;
  const addr = (suffix: string, fallback: string) => parseHostPort(`WEFT_PROXY_${suffix}`, str(suffix, fallback));
  const dur = (suffix: string, fallback: string) => parseDuration(`WEFT_PROXY_${suffix}`, str(suffix, fallback));
  const identityName = env('WEFT_PROXY_IDENTITY_LOCAL_NAME');
  const count = (suffix: string, fallback: string, min: number): number => {
    const n = Number(str(suffix, fallback));
    if (!Number.isInteger(n) || n < min) {
      throw new ProxyError('WEFT_PROXY_CONFIG', `WEFT_PROXY_${suffix}: expected an integer of at least ${min}`);
    }
    return n;
  };
  return {
    outboundListen: addr('OUTBOUND_LISTEN_ADDR', '127.0.0.1:4140'),
    inboundListen: addr('INBOUND_LISTEN_ADDR', '0.0.0.0:4143'),
    adminListen: addr('ADMIN_LISTEN_ADDR', '127.0.0.1:4191'),
    upstreams: parseUpstreams('WEFT_PROXY_OUTBOUND_UPSTREAMS', str('OUTBOUND_UPSTREAMS', '')),
    appAddr: addr('INBOUND_FORWARD_ADDR', '127.0.0.1:8080'),
    destinationAddr: env('WEFT_PROXY_DESTINATION_ADDR') || undefined,
    destinationScheme: str('DESTINATION_SCHEME', 'local'),
    contextToken: str('DESTINATION_CONTEXT', ''),
    identity: identityName ? readIdentity(env, identityName) : undefined,
    timeouts: {
      detectMs: dur('DETECT_TIMEOUT', '10s'),
      connectMs: dur('CONNECT_TIMEOUT', '1s'),
      failFastMs: dur('FAILFAST_TIMEOUT', '3s'),
      responseMs: dur('RESPONSE_TIMEOUT', '30s'),
      headersMs: dur('HEADERS_TIMEOUT', '10s'),
      idleMs: dur('IDLE_TIMEOUT', '60s'),
      shutdownGraceMs: dur('SHUTDOWN_GRACE_PERIOD', '120s'),
    },
    queueCapacity: count('QUEUE_CAPACITY', '10000', 0),
    limits: {
      connectionsPerListener: count('MAX_CONNECTIONS_PER_LISTENER', '10000', 1),
      streamsPerSecond: count('H2_STREAMS_PER_SECOND', '10000', 1),
      streamBurst: count('H2_STREAM_BURST', '5000', 1),
    },
    discoveryIdleMs: dur('OUTBOUND_DISCOVERY_IDLE_TIMEOUT', '60s'),
    h1OverH2: str('OUTBOUND_H1_OVER_H2', 'false') === 'true',
    logLevel: str('LOG_LEVEL', 'info'),
    shutdownEndpointEnabled: str('SHUTDOWN_ENDPOINT_ENABLED', 'true') !== 'false',
    trace: readTraceSettings(env),
    tap: readTapSettings(env),
    breaker: readBreakerSettings(env),
    policy: readPolicySettings(env),
  };
}

function readIdentity(env: EnvReader, name: string): IdentitySettings {
  const required = (suffix: string): string => {
    const value = env(`WEFT_PROXY_IDENTITY_${suffix}`);
    if (!value) {
      throw new ProxyError(
        'WEFT_PROXY_CONFIG',
        `WEFT_PROXY_IDENTITY_${suffix} is required with WEFT_PROXY_IDENTITY_LOCAL_NAME`,
      );
    }
    return value;
  };
  const trustAnchorsPem = required('TRUST_ANCHORS');
  if (env('WEFT_PROXY_IDENTITY_CERT_FILE')) {
    return { kind: 'files', name, trustAnchorsPem, certFile: required('CERT_FILE'), keyFile: required('KEY_FILE') };
  }
  return {
    kind: 'service',
    name,
    trustAnchorsPem,
    serviceAddr: required('SVC_ADDR'),
    serviceName: required('SVC_NAME'),
    tokenFile: required('TOKEN_FILE'),
  };
}
