import { DEFAULT_CLOCK_SKEW_MS, DEFAULT_LEAF_LIFETIME_MS } from './ca/issuer.ts';
import {
  DEFAULT_CONTROL_PLANE_NAMESPACE,
  DEFAULT_TRUST_DOMAIN,
  type IdentityDomain,
  isDnsLabel,
  isDnsName,
} from './ca/names.ts';
import { ERROR_CODES, identityError } from './errors.ts';
import { TOKEN_AUDIENCE } from './tokens/token-validator.ts';

// The identity service's configuration, read once from WEFT_IDENTITY_*.

export type TokenMode = 'k8s' | 'local';

export interface IdentityConfig {
  /** gRPC listen address (host:port). */
  readonly listen: string;
  /** Admin HTTP listen address (host:port): /metrics, /ready, /live. */
  readonly adminListen: string;
  /** Directory with tls.crt/tls.key (or issuer.crt/issuer.key), watched for changes. */
  readonly issuerDir: string;
  /** Explicit issuer certificate and key paths, instead of looking in issuerDir. */
  readonly issuerCertFile: string | undefined;
  readonly issuerKeyFile: string | undefined;
  /** The anchors proxies trust; default `<issuerDir>/ca.crt`. */
  readonly trustAnchorsFile: string | undefined;
  readonly domain: IdentityDomain;
  readonly lifetimeMs: number;
  readonly clockSkewMs: number;
  readonly tokenMode: TokenMode;
  /** The local runner's token signing key (token mode `local`). */
  readonly localTokenKeyFile: string | undefined;
  /** Audience the ServiceAccount tokens must carry (token mode `k8s`). */
  readonly tokenAudience: string;
}

export const ENV = {
  listen: 'WEFT_IDENTITY_LISTEN_ADDR',
  adminListen: 'WEFT_IDENTITY_ADMIN_ADDR',
  issuerDir: 'WEFT_IDENTITY_ISSUER_DIR',
  issuerCertFile: 'WEFT_IDENTITY_ISSUER_CERT_FILE',
  issuerKeyFile: 'WEFT_IDENTITY_ISSUER_KEY_FILE',
  trustAnchorsFile: 'WEFT_IDENTITY_TRUST_ANCHORS_FILE',
  trustDomain: 'WEFT_IDENTITY_TRUST_DOMAIN',
  controlPlaneNamespace: 'WEFT_IDENTITY_CONTROL_PLANE_NAMESPACE',
  lifetime: 'WEFT_IDENTITY_ISSUANCE_LIFETIME',
  clockSkew: 'WEFT_IDENTITY_CLOCK_SKEW_ALLOWANCE',
  tokenMode: 'WEFT_IDENTITY_TOKEN_MODE',
  localTokenKeyFile: 'WEFT_IDENTITY_LOCAL_TOKEN_KEY_FILE',
  tokenAudience: 'WEFT_IDENTITY_TOKEN_AUDIENCE',
} as const;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go-style durations as Linkerd's chart writes them: `24h`, `24h0m0s`, `90m`, `20s`, `500ms`. */
export function parseDuration(text: string, name: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw identityError(ERROR_CODES.INVALID_CONFIG, `${name}=${text}: not a duration like 24h, 90m or 20s`);
  }
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * (UNIT_MS[unit as string] ?? 0), 0);
}

function hostPort(value: string, name: string): string {
  const at = value.lastIndexOf(':');
  const port = Number(value.slice(at + 1));
  if (at < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw identityError(ERROR_CODES.INVALID_CONFIG, `${name}=${value}: expected host:port`);
  }
  return at === 0 ? `0.0.0.0${value}` : value;
}

export function parseConfig(env: (name: string) => string | undefined): IdentityConfig {
  const get = (name: string) => env(name)?.trim() || undefined;
  const trustDomain = get(ENV.trustDomain) ?? DEFAULT_TRUST_DOMAIN;
  const controlPlaneNamespace = get(ENV.controlPlaneNamespace) ?? DEFAULT_CONTROL_PLANE_NAMESPACE;
  if (!isDnsName(trustDomain))
    throw identityError(ERROR_CODES.INVALID_CONFIG, `${ENV.trustDomain}=${trustDomain}: not a DNS name`);
  if (!isDnsLabel(controlPlaneNamespace)) {
    throw identityError(
      ERROR_CODES.INVALID_CONFIG,
      `${ENV.controlPlaneNamespace}=${controlPlaneNamespace}: not a DNS label`,
    );
  }
  const tokenMode = get(ENV.tokenMode) ?? 'k8s';
  if (tokenMode !== 'k8s' && tokenMode !== 'local') {
    throw identityError(ERROR_CODES.INVALID_CONFIG, `${ENV.tokenMode}=${tokenMode}: expected k8s or local`);
  }
  const localTokenKeyFile = get(ENV.localTokenKeyFile);
  if (tokenMode === 'local' && !localTokenKeyFile) {
    throw identityError(ERROR_CODES.INVALID_CONFIG, `${ENV.tokenMode}=local needs ${ENV.localTokenKeyFile}`);
  }
  const lifetimeMs = parseDuration(get(ENV.lifetime) ?? `${DEFAULT_LEAF_LIFETIME_MS}ms`, ENV.lifetime);
  if (lifetimeMs < 60_000) throw identityError(ERROR_CODES.INVALID_CONFIG, `${ENV.lifetime} must be at least 1m`);
  return {
    listen: hostPort(get(ENV.listen) ?? '0.0.0.0:8080', ENV.listen),
    adminListen: hostPort(get(ENV.adminListen) ?? '0.0.0.0:9990', ENV.adminListen),
    issuerDir: get(ENV.issuerDir) ?? '/var/run/weft/identity/issuer',
    issuerCertFile: get(ENV.issuerCertFile),
    issuerKeyFile: get(ENV.issuerKeyFile),
    trustAnchorsFile: get(ENV.trustAnchorsFile),
    domain: { trustDomain, controlPlaneNamespace },
    lifetimeMs,
    clockSkewMs: parseDuration(get(ENV.clockSkew) ?? `${DEFAULT_CLOCK_SKEW_MS}ms`, ENV.clockSkew),
    tokenMode,
    localTokenKeyFile,
    tokenAudience: get(ENV.tokenAudience) ?? TOKEN_AUDIENCE,
  };
}
