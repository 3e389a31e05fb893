import { describe, expect, it } from 'vitest';
import { readTraceSettings } from '../trace/tracer.ts';
import { readTapSettings } from './settings.ts';

const reader = (env: Record<string, string>) => (name: string) => env[name];

describe('tap and trace settings', () => {
  it('are off by default: no collector, no authorized identity', () => {
    expect(readTraceSettings(reader({}))).toEqual({ collector: undefined, serviceName: 'weft-proxy', resource: {} });
    expect(readTapSettings(reader({}))).toEqual({
      authorizedIdentity: undefined,
      listen: { host: '0.0.0.0', port: 4190 },
    });
  });

  it('read the collector as host:port, with or without http://, and refuse anything else', () => {
    const env = {
      WEFT_PROXY_TRACE_COLLECTOR_ADDR: 'http://127.0.0.1:4318/',
      WEFT_PROXY_TRACE_SERVICE_NAME: 'web-proxy',
    };
    expect(readTraceSettings(reader(env))).toEqual({
      collector: '127.0.0.1:4318',
      serviceName: 'web-proxy',
      resource: {},
    });
    expect(() => readTraceSettings(reader({ WEFT_PROXY_TRACE_COLLECTOR_ADDR: 'jaeger' }))).toThrow(
      /WEFT_PROXY_TRACE_COLLECTOR_ADDR: expected host:port/,
    );
    expect(() => readTapSettings(reader({ WEFT_PROXY_TAP_LISTEN_ADDR: ':x' }))).toThrow(/WEFT_PROXY_TAP_LISTEN_ADDR/);
  });

  it("name the proxy's pod and workload from OTEL_RESOURCE_ATTRIBUTES, skipping malformed entries", () => {
    const env = {
      OTEL_RESOURCE_ATTRIBUTES: 'k8s.pod.name=web-7d9,k8s.namespace.name=emojivoto, note=a%2Cb ,=x,broken,bad=%E0',
    };
    expect(readTraceSettings(reader(env)).resource).toEqual({
      'k8s.pod.name': 'web-7d9',
      'k8s.namespace.name': 'emojivoto',
      note: 'a,b',
    });
  });
});
