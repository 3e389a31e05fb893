import { describe, expect, it } from 'vitest';
import { parseConfig, parseDuration } from './config.ts';

const from = (env: Record<string, string>) => (name: string) => env[name];

describe('identity configuration', () => {
  it('defaults to Linkerd-like values', () => {
    expect(parseConfig(from({}))).toEqual({
      listen: '0.0.0.0:8080',
      adminListen: '0.0.0.0:9990',
      issuerDir: '/var/run/weft/identity/issuer',
      issuerCertFile: undefined,
      issuerKeyFile: undefined,
      trustAnchorsFile: undefined,
      domain: { trustDomain: 'cluster.local', controlPlaneNamespace: 'weft-system' },
      lifetimeMs: 86_400_000,
      clockSkewMs: 20_000,
      tokenMode: 'k8s',
      localTokenKeyFile: undefined,
      tokenAudience: 'identity.weft.dev',
    });
  });

  it('reads every WEFT_IDENTITY_* variable', () => {
    const config = parseConfig(
      from({
        WEFT_IDENTITY_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_IDENTITY_ADMIN_ADDR: ':9991',
        WEFT_IDENTITY_ISSUER_DIR: '/tmp/issuer',
        WEFT_IDENTITY_TRUST_ANCHORS_FILE: '/tmp/ca.crt',
        WEFT_IDENTITY_TRUST_DOMAIN: 'example.org',
        WEFT_IDENTITY_CONTROL_PLANE_NAMESPACE: 'mesh',
        WEFT_IDENTITY_ISSUER_CERT_FILE: '/tmp/issuer/tls.crt',
        WEFT_IDENTITY_TOKEN_AUDIENCE: 'identity.example.org',
        WEFT_IDENTITY_ISSUANCE_LIFETIME: '1h30m',
        WEFT_IDENTITY_CLOCK_SKEW_ALLOWANCE: '10s',
        WEFT_IDENTITY_TOKEN_MODE: 'local',
        WEFT_IDENTITY_LOCAL_TOKEN_KEY_FILE: '/tmp/token.key',
      }),
    );
    expect(config).toMatchObject({
      listen: '127.0.0.1:0',
      adminListen: '0.0.0.0:9991',
      domain: { trustDomain: 'example.org', controlPlaneNamespace: 'mesh' },
      lifetimeMs: 5_400_000,
      clockSkewMs: 10_000,
      tokenMode: 'local',
      issuerCertFile: '/tmp/issuer/tls.crt',
      tokenAudience: 'identity.example.org',
    });
  });

  it('parses Go-style durations as Linkerd charts write them', () => {
    expect(parseDuration('24h0m0s', 'x')).toBe(86_400_000);
    expect(parseDuration('500ms', 'x')).toBe(500);
  });

  it('names the variable and the problem for bad values', () => {
    expect(() => parseConfig(from({ WEFT_IDENTITY_TOKEN_MODE: 'password' }))).toThrow(
      'WEFT_IDENTITY_TOKEN_MODE=password: expected k8s or local',
    );
    expect(() => parseConfig(from({ WEFT_IDENTITY_TOKEN_MODE: 'local' }))).toThrow(
      /needs WEFT_IDENTITY_LOCAL_TOKEN_KEY_FILE/,
    );
    expect(() => parseConfig(from({ WEFT_IDENTITY_ISSUANCE_LIFETIME: 'a day' }))).toThrow(/not a duration/);
    expect(() => parseConfig(from({ WEFT_IDENTITY_LISTEN_ADDR: 'localhost' }))).toThrow(/expected host:port/);
    expect(() => parseConfig(from({ WEFT_IDENTITY_TRUST_DOMAIN: 'Not A Domain' }))).toThrow(/not a DNS name/);
  });
});
