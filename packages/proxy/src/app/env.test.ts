import { describe, expect, it } from 'vitest';
import { parseDuration, parseUpstreams, readConfig } from './env.ts';

describe('readConfig', () => {
  it("uses linkerd's ports and timeouts by default", () => {
    const c = readConfig(() => undefined);
    expect(c.outboundListen).toEqual({ host: '127.0.0.1', port: 4140 });
    expect(c.inboundListen).toEqual({ host: '0.0.0.0', port: 4143 });
    expect(c.adminListen).toEqual({ host: '127.0.0.1', port: 4191 });
    expect(c.timeouts.detectMs).toBe(10_000);
    expect(c.timeouts.failFastMs).toBe(3_000);
    expect(c.identity).toBeUndefined();
    expect(c.limits).toEqual({ connectionsPerListener: 10_000, streamsPerSecond: 10_000, streamBurst: 5000 });
  });

  it('refuses a limit that is not a positive integer, naming it', () => {
    for (const value of ['0', '-1', '1.5', 'many']) {
      expect(() => readConfig((n) => (n === 'WEFT_PROXY_MAX_CONNECTIONS_PER_LISTENER' ? value : undefined))).toThrow(
        /WEFT_PROXY_MAX_CONNECTIONS_PER_LISTENER: expected an integer of at least 1/,
      );
    }
    expect(readConfig((n) => (n === 'WEFT_PROXY_H2_STREAM_BURST' ? '20' : undefined)).limits.streamBurst).toBe(20);
  });

  it('parses per-upstream listeners', () => {
    expect(
      parseUpstreams('X', 'emoji-svc.emojivoto.svc.cluster.local:8080=127.0.0.1:15001, voting:80=[::1]:15002'),
    ).toEqual([
      { authority: 'emoji-svc.emojivoto.svc.cluster.local:8080', listen: { host: '127.0.0.1', port: 15001 } },
      { authority: 'voting:80', listen: { host: '::1', port: 15002 } },
    ]);
  });

  it('names the variable at fault', () => {
    expect(() => readConfig((n) => (n === 'WEFT_PROXY_OUTBOUND_UPSTREAMS' ? 'svc=15001' : undefined))).toThrow(
      /WEFT_PROXY_OUTBOUND_UPSTREAMS.*authority=host:port|expected host:port/,
    );
    expect(() => parseDuration('WEFT_PROXY_CONNECT_TIMEOUT', '1 sec')).toThrow(/WEFT_PROXY_CONNECT_TIMEOUT/);
    expect(() => readConfig((n) => (n === 'WEFT_PROXY_IDENTITY_LOCAL_NAME' ? 'a.b' : undefined))).toThrow(
      /WEFT_PROXY_IDENTITY_TRUST_ANCHORS/,
    );
  });

  it('reads durations in ms, s, m and h', () => {
    expect(parseDuration('X', '300ms')).toBe(300);
    expect(parseDuration('X', '1.5s')).toBe(1500);
    expect(parseDuration('X', '2m')).toBe(120_000);
  });
});
