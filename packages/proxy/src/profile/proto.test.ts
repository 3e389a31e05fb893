import { loadDestinationApi } from '@weft/api';
import type { DestinationProfile } from '@weft/api/gen/weft/destination/DestinationProfile.ts';
import { describe, expect, it } from 'vitest';
import { decodeProfile } from './proto.ts';

// The hand-written profile decoder against protobufjs, the encoder the
// control plane's grpc-js server uses.
const service = loadDestinationApi().weft.destination.Destination.service;
const encode = (profile: DestinationProfile) => service.GetProfile.responseSerialize(profile);

const ms = (n: number) => ({ seconds: Math.floor(n / 1000), nanos: (n % 1000) * 1e6 });
const consecutive = (maxFailures: number, backoff: object | null) => ({
  consecutiveFailures: { maxFailures, backoff },
});

describe('profile codec: failure accrual', () => {
  it('decodes the Service settings next to the rest of the profile', () => {
    const profile = decodeProfile(
      encode({
        fullyQualifiedName: 'voting-svc.emojivoto.svc.cluster.local',
        retryBudget: { retryRatio: 0.5, minRetriesPerSecond: 3, ttl: ms(30_000) },
        dstOverrides: [{ authority: 'voting-svc.emojivoto.svc.cluster.local:8080', weight: 10_000 }],
        failureAccrual: consecutive(5, { minBackoff: ms(250), maxBackoff: ms(10_000), jitterRatio: 0.25 }),
      }),
    );
    expect(profile.failureAccrual).toEqual({
      consecutive: 5,
      minBackoffMs: 250,
      maxBackoffMs: 10_000,
      jitterRatio: 0.25,
    });
    expect(profile.retryBudget).toEqual({ ratio: 0.5, minPerSecond: 3, ttlMs: 30_000 });
    expect(profile.dstOverrides).toHaveLength(1);
  });

  it('leaves it undefined when the profile has none, so the proxy default applies', () => {
    expect(decodeProfile(encode({ fullyQualifiedName: 'web-svc.emojivoto.svc.cluster.local' })).failureAccrual).toBe(
      undefined,
    );
    expect(decodeProfile(Buffer.alloc(0)).failureAccrual).toBeUndefined();
  });

  it('leaves it undefined for a kind of accrual it does not know', () => {
    // DestinationProfile.failure_accrual (6) holding field 2, a kind added after this proxy was built.
    const unknownKind = Buffer.from([(6 << 3) | 2, 2, (2 << 3) | 2, 0]);
    expect(decodeProfile(unknownKind).failureAccrual).toBeUndefined();
  });

  it('makes values the control plane never sends harmless', () => {
    const decoded = (maxFailures: number, backoff: object | null) =>
      decodeProfile(encode({ failureAccrual: consecutive(maxFailures, backoff) })).failureAccrual;
    // No backoff: Linkerd's 1 s to 1 min, no jitter.
    expect(decoded(3, null)).toEqual({ consecutive: 3, minBackoffMs: 1000, maxBackoffMs: 60_000, jitterRatio: 0 });
    // A maximum below the minimum is the minimum; jitter is kept within 0-100.
    expect(decoded(3, { minBackoff: ms(2000), maxBackoff: ms(500), jitterRatio: -1 })).toEqual({
      consecutive: 3,
      minBackoffMs: 2000,
      maxBackoffMs: 2000,
      jitterRatio: 0,
    });
    expect(decoded(3, { maxBackoff: ms(500), jitterRatio: 1e6 })).toMatchObject({
      minBackoffMs: 1000,
      maxBackoffMs: 1000,
      jitterRatio: 100,
    });
    // Zero failures never ejects, as WEFT_PROXY_FAILURE_ACCRUAL_CONSECUTIVE=0.
    expect(decoded(0, null)?.consecutive).toBe(0);
  });

  it('refuses a truncated message with an error, not a crash', () => {
    const buf = encode({ failureAccrual: consecutive(5, { minBackoff: ms(250), jitterRatio: 0.5 }) });
    expect(() => decodeProfile(buf.subarray(0, buf.length - 2))).toThrow();
  });
});

describe('profile codec: the profile of an IP:port', () => {
  it("decodes a pod's address into its endpoint, with identity, hint and labels, and says opaque", () => {
    const identity = 'web.emojivoto.serviceaccount.identity.weft.cluster.local';
    const profile = decodeProfile(
      encode({
        opaqueProtocol: true,
        retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: ms(10_000) },
        endpoint: {
          addr: { ip: 'fd00::7', port: 3306 },
          weight: 10_000,
          metricLabels: { namespace: 'emojivoto', pod: 'web-0', serviceaccount: 'web' },
          tlsIdentity: { name: identity, serverName: identity },
          protocolHint: { opaque: {}, inboundPort: 4143 },
        },
      }),
    );
    expect(profile.fqn).toBe('');
    expect(profile.opaque).toBe(true);
    expect(profile.routes).toEqual([]);
    expect(profile.endpoint).toEqual({
      key: '[fd00::7]:3306',
      host: 'fd00::7',
      port: 3306,
      weight: 10_000,
      labels: { dst_namespace: 'emojivoto', dst_pod: 'web-0', dst_serviceaccount: 'web' },
      tls: { name: identity, serverName: identity },
      opaque: true,
    });
  });

  it("has no endpoint for a Service's profile, nor for an endpoint without an address", () => {
    expect(decodeProfile(encode({ fullyQualifiedName: 'web-svc.emojivoto.svc.cluster.local' })).endpoint).toBe(
      undefined,
    );
    expect(decodeProfile(encode({ endpoint: { weight: 10_000 } })).endpoint).toBeUndefined();
  });
});
