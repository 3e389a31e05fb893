import { describe, expect, it } from 'vitest';
import { parseDuration } from '../settings/parse.ts';
import { parseUpstreams, readConfig, undetectedFor } from './env.ts';

describe('readConfig', () => {
  it("uses linkerd's ports and timeouts by default", () => {
    const c = readConfig(() => undefined);
    expect(c.outboundListen).toEqual({ host: '127.0.0.1', port: 4140 });
    expect(c.inboundListen).toEqual({ host: '0.0.0.0', port: 4143 });
    expect(c.adminListen).toEqual({ host: '127.0.0.1', port: 4191 });
    expect(c.timeouts.detectMs).toBe(10_000);
    expect(c.timeouts.failFastMs).toBe(3_000);
    expect(c.identity).toBeUndefined();
    expect(c.metrics).toEqual({ maxLabelValues: 100, maxTargets: 1000 });
    expect(c.limits).toEqual({ connectionsPerListener: 10_000, streamsPerSecond: 10_000, streamBurst: 5000 });
    expect(c.shutdownEndpointEnabled).toBe(false);
    expect(c.inboundUndetected).toBe('close');
  });

  it('reads the bounds on metric label values, and refuses what is not a count', () => {
    const env: Record<string, string> = {
      WEFT_PROXY_METRICS_MAX_LABEL_VALUES: '20',
      WEFT_PROXY_METRICS_MAX_TARGETS: '50',
    };
    expect(readConfig((n) => env[n]).metrics).toEqual({ maxLabelValues: 20, maxTargets: 50 });
    expect(() => readConfig((n) => (n === 'WEFT_PROXY_METRICS_MAX_LABEL_VALUES' ? 'many' : undefined))).toThrow(
      /WEFT_PROXY_METRICS_MAX_LABEL_VALUES: expected a non-negative integer/,
    );
  });

  it("forwards undetected plaintext as opaque only on the injector's opaque ports, or when told to", () => {
    const cfg = (env: Record<string, string>) => readConfig((n) => env[n]);
    const app = { WEFT_PROXY_INBOUND_FORWARD_ADDR: '127.0.0.1:3306' };
    const opaque = 'WEFT_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION';
    expect(cfg({ ...app, [opaque]: '25,3300-3310' }).inboundUndetected).toBe('opaque');
    expect(cfg({ ...app, [opaque]: '25,5432' }).inboundUndetected).toBe('close');
    // The port the pod's resources name, where the app listens elsewhere (weft dev).
    expect(cfg({ ...app, WEFT_PROXY_POLICY_PORT: '25', [opaque]: '25' }).inboundUndetected).toBe('opaque');
    expect(cfg({ ...app, WEFT_PROXY_INBOUND_DETECT_FALLBACK: 'opaque' }).inboundUndetected).toBe('opaque');
    expect(() => cfg({ ...app, [opaque]: '25,99999' })).toThrow(/PROTOCOL_DETECTION.*"99999"/);
    expect(() => cfg({ ...app, WEFT_PROXY_INBOUND_DETECT_FALLBACK: 'forward' })).toThrow(/close or opaque/);
  });

  it('decides each port of the app a redirected connection is sent to by the same opaque-ports list', () => {
    const config = readConfig((n) =>
      n === 'WEFT_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION' ? '25,3300-3310' : undefined,
    );
    expect(undetectedFor(config, 3306)).toBe('opaque');
    expect(undetectedFor(config, 8080)).toBe('close');
  });

  it("reads the pod's declared ports, and refuses a list that is not one of ports", () => {
    const env: Record<string, string> = { WEFT_PROXY_INBOUND_PORTS: '8080, 9090', WEFT_PROXY_INBOUND_MAX_PORTS: '5' };
    expect(readConfig((n) => env[n])).toMatchObject({ inboundPorts: [8080, 9090], inboundMaxPorts: 5 });
    expect(readConfig(() => undefined)).toMatchObject({ inboundPorts: [], inboundMaxPorts: 100 });
    for (const bad of ['8080-8090', '0', '70000', 'http'])
      expect(() => readConfig((n) => (n === 'WEFT_PROXY_INBOUND_PORTS' ? bad : undefined))).toThrow(
        /WEFT_PROXY_INBOUND_PORTS: expected ports like 8080,9090/,
      );
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

  it('reaches the control plane over mTLS to a named identity, or in plaintext only when told to', () => {
    const read = (vars: Record<string, string>) => readConfig((n) => vars[n]);
    const identity = {
      WEFT_PROXY_IDENTITY_LOCAL_NAME: 'web.emojivoto.serviceaccount.identity.weft-system.cluster.local',
      WEFT_PROXY_IDENTITY_TRUST_ANCHORS: 'anchors',
      WEFT_PROXY_IDENTITY_SVC_ADDR: 'identity:8080',
      WEFT_PROXY_IDENTITY_SVC_NAME: 'weft-identity',
      WEFT_PROXY_IDENTITY_TOKEN_FILE: '/token',
    };
    const name = 'weft-destination.weft-system.serviceaccount.identity.weft-system.cluster.local';
    expect(() => read({ WEFT_PROXY_DESTINATION_ADDR: 'cp:8086' })).toThrow(/WEFT_PROXY_DESTINATION_SVC_NAME/);
    expect(() => read({ WEFT_PROXY_DESTINATION_ADDR: 'cp:8086', WEFT_PROXY_DESTINATION_SVC_NAME: name })).toThrow(
      /needs an identity of our own/,
    );
    const mtls = read({
      ...identity,
      WEFT_PROXY_DESTINATION_ADDR: 'cp:8086',
      WEFT_PROXY_DESTINATION_SVC_NAME: name,
      WEFT_PROXY_POLICY_WORKLOAD: '{"ns":"emojivoto","pod":"web-0"}',
    });
    expect([mtls.destinationName, mtls.policy.name]).toEqual([name, name]);
    const plain = read({ WEFT_PROXY_DESTINATION_ADDR: 'cp:8086', WEFT_PROXY_CONTROL_PLANE_PLAINTEXT: 'true' });
    expect([plain.controlPlanePlaintext, plain.destinationName]).toEqual([true, undefined]);
  });

  it('reads durations in ms, s, m and h', () => {
    expect(parseDuration('X', '300ms')).toBe(300);
    expect(parseDuration('X', '1.5s')).toBe(1500);
    expect(parseDuration('X', '2m')).toBe(120_000);
  });
});
