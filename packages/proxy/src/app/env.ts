import { type BreakerSettings, readBreakerSettings } from '../breaker/settings.ts';
import { ProxyError } from '../errors.ts';
import type { MetricsLimits } from '../metrics/bounds.ts';
import { type PolicySettings, readPolicySettings } from '../policy/settings.ts';
import { type Limits, readLimits, readTimeouts, type Timeouts, type UndetectedAction } from '../settings/listener.ts';
import {
  type EnvReader,
  type HostPort,
  inPortList,
  parseCount,
  parseDuration,
  parseHostPort,
  parsePorts,
} from '../settings/parse.ts';
import { readTapSettings, type TapSettings } from '../tap/settings.ts';
import { readTraceSettings, type TraceSettings } from '../trace/tracer.ts';

// The proxy's whole configuration, read once from WEFT_PROXY_* variables into
// plain objects. Parsing takes an injectable reader so it is testable alone.

/** A Consul-style upstream: a local port whose connections all go to one authority. */
export interface Upstream {
  readonly authority: string;
  readonly listen: HostPort;
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
  /**
   * Opaque when the inbound port is in WEFT_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION
   * (the injector's opaque ports), else WEFT_PROXY_INBOUND_DETECT_FALLBACK (default close):
   * an unauthenticated peer's bytes reach the app unclassified only where that was asked for.
   */
  readonly inboundUndetected: UndetectedAction;
  /** WEFT_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION, checked when read: for other ports see undetectedFor. */
  readonly inboundOpaquePorts: string;
  readonly inboundDetectFallback: UndetectedAction;
  /** The pod's ports (WEFT_PROXY_INBOUND_PORTS, from the injector): served, and their policy watched, from start-up. */
  readonly inboundPorts: readonly number[];
  /** Other ports a redirected connection may be sent to, served at once; past it one is refused. */
  readonly inboundMaxPorts: number;
  readonly destinationAddr: string | undefined;
  /**
   * The identity the destination service must prove (WEFT_PROXY_DESTINATION_SVC_NAME),
   * also its TLS server name; undefined only when the control plane is spoken to in plaintext.
   */
  readonly destinationName: string | undefined;
  /** Speak to the control plane without TLS (WEFT_PROXY_CONTROL_PLANE_PLAINTEXT=true): tests and benchmarks only. */
  readonly controlPlanePlaintext: boolean;
  readonly destinationScheme: string;
  readonly contextToken: string;
  readonly identity: IdentitySettings | undefined;
  readonly timeouts: Timeouts;
  readonly queueCapacity: number;
  readonly limits: Limits;
  readonly discoveryIdleMs: number;
  /** An ingress's proxy (WEFT_PROXY_INGRESS_MODE): HTTP routed by Host even when redirected. */
  readonly ingressMode: boolean;
  /** Carry HTTP/1 requests to meshed peers over one HTTP/2 session (ADR 0002). */
  readonly h1OverH2: boolean;
  readonly logLevel: string;
  /** POST /shutdown on the admin port; off unless asked for, since anyone on the host's loopback could use it. */
  readonly shutdownEndpointEnabled: boolean;
  readonly trace: TraceSettings;
  readonly tap: TapSettings;
  /** Failure accrual per outbound endpoint. */
  readonly breaker: BreakerSettings;
  readonly policy: PolicySettings;
  /** How many distinct values a label a peer chooses may take before it reads "overflow". */
  readonly metrics: MetricsLimits;
}

const OPAQUE_PORTS = 'WEFT_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION';

function detectFallback(env: EnvReader): UndetectedAction {
  const fallback = env('WEFT_PROXY_INBOUND_DETECT_FALLBACK') ?? 'close';
  if (fallback !== 'close' && fallback !== 'opaque') {
    throw new ProxyError(
      'WEFT_PROXY_CONFIG',
      `WEFT_PROXY_INBOUND_DETECT_FALLBACK: expected close or opaque, got "${fallback}"`,
    );
  }
  return fallback;
}

/** What the inbound side does with undetectable plaintext sent to `port` of the app. */
export function undetectedFor(
  config: Pick<ProxyConfig, 'inboundOpaquePorts' | 'inboundDetectFallback'>,
  port: number,
): UndetectedAction {
  return inPortList(OPAQUE_PORTS, config.inboundOpaquePorts, port) ? 'opaque' : config.inboundDetectFallback;
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
  const count = (suffix: string, fallback: string) => parseCount(`WEFT_PROXY_${suffix}`, str(suffix, fallback), 0);
  const identityName = env('WEFT_PROXY_IDENTITY_LOCAL_NAME');
  const appAddr = addr('INBOUND_FORWARD_ADDR', '127.0.0.1:8080');
  const identity = identityName ? readIdentity(env, identityName) : undefined;
  const destinationAddr = env('WEFT_PROXY_DESTINATION_ADDR') || undefined;
  const destinationName = env('WEFT_PROXY_DESTINATION_SVC_NAME') || undefined;
  const controlPlanePlaintext = str('CONTROL_PLANE_PLAINTEXT', 'false') === 'true';
  const policy = readPolicySettings(env);
  const inbound = { inboundOpaquePorts: env(OPAQUE_PORTS) ?? '', inboundDetectFallback: detectFallback(env) };
  checkControlPlaneTls('DESTINATION', destinationAddr, destinationName, identity, controlPlanePlaintext);
  checkControlPlaneTls('POLICY', policy.workload && policy.addr, policy.name, identity, controlPlanePlaintext);
  return {
    outboundListen: addr('OUTBOUND_LISTEN_ADDR', '127.0.0.1:4140'),
    inboundListen: addr('INBOUND_LISTEN_ADDR', '0.0.0.0:4143'),
    adminListen: addr('ADMIN_LISTEN_ADDR', '127.0.0.1:4191'),
    upstreams: parseUpstreams('WEFT_PROXY_OUTBOUND_UPSTREAMS', str('OUTBOUND_UPSTREAMS', '')),
    appAddr,
    // The port the pod's resources name (opaque-ports annotation, policy): the policy's, else the app's.
    inboundUndetected: undetectedFor(inbound, policy.port ?? appAddr.port),
    ...inbound,
    inboundPorts: parsePorts('WEFT_PROXY_INBOUND_PORTS', str('INBOUND_PORTS', '')),
    inboundMaxPorts: count('INBOUND_MAX_PORTS', '100'),
    destinationAddr,
    destinationName: controlPlanePlaintext ? undefined : destinationName,
    controlPlanePlaintext,
    destinationScheme: str('DESTINATION_SCHEME', 'local'),
    contextToken: str('DESTINATION_CONTEXT', ''),
    identity,
    timeouts: readTimeouts(env),
    queueCapacity: count('QUEUE_CAPACITY', '10000'),
    limits: readLimits(env),
    discoveryIdleMs: dur('OUTBOUND_DISCOVERY_IDLE_TIMEOUT', '60s'),
    h1OverH2: str('OUTBOUND_H1_OVER_H2', 'false') === 'true',
    ingressMode: str('INGRESS_MODE', 'false') === 'true',
    logLevel: str('LOG_LEVEL', 'info'),
    shutdownEndpointEnabled: str('SHUTDOWN_ENDPOINT_ENABLED', 'false') === 'true',
    trace: readTraceSettings(env),
    tap: readTapSettings(env),
    breaker: readBreakerSettings(env),
    policy: controlPlanePlaintext ? { ...policy, name: undefined } : policy,
    metrics: {
      maxLabelValues: count('METRICS_MAX_LABEL_VALUES', '100'),
      maxTargets: count('METRICS_MAX_TARGETS', '1000'),
    },
  };
}

/**
 * The control plane is reached over mTLS, as Linkerd's proxy does: our own
 * certificate, and the control plane's identity checked against a configured
 * name. Plaintext is never a fallback, only an explicit setting.
 */
function checkControlPlaneTls(
  api: 'DESTINATION' | 'POLICY',
  addr: string | undefined,
  name: string | undefined,
  identity: IdentitySettings | undefined,
  plaintext: boolean,
): void {
  if (!addr || plaintext) return;
  if (!name) {
    throw new ProxyError(
      'WEFT_PROXY_CONFIG',
      `WEFT_PROXY_${api}_SVC_NAME (the control plane's identity) is required to reach it over mTLS; WEFT_PROXY_CONTROL_PLANE_PLAINTEXT=true speaks plaintext`,
    );
  }
  if (!identity) {
    throw new ProxyError(
      'WEFT_PROXY_CONFIG',
      `WEFT_PROXY_${api}_SVC_NAME needs an identity of our own (WEFT_PROXY_IDENTITY_LOCAL_NAME) for mTLS`,
    );
  }
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
