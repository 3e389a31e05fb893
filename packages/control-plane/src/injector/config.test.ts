import { describe, expect, it } from 'vitest';
import { DEFAULT_INJECTOR_CONFIG, readInjectorConfig } from './config.ts';

const reader = (vars: Record<string, string>) => (name: string) => vars[name];
const noFiles = (path: string): string => {
  throw new Error(`ENOENT: ${path}`);
};

describe('readInjectorConfig', () => {
  it('keeps Linkerd-like defaults when nothing is set', () => {
    const c = readInjectorConfig(reader({}), noFiles);
    expect(c).toEqual(DEFAULT_INJECTOR_CONFIG);
    expect(c.proxyUid).toBe(2102);
    expect(c.ports).toEqual({ inbound: 4143, outbound: 4140, admin: 4191, tap: 4190 });
  });

  it('reads overrides and the trust anchors file', () => {
    const c = readInjectorConfig(
      reader({
        WEFT_INJECTOR_PROXY_IMAGE: 'registry.local/weft/mesh:dev',
        WEFT_INJECTOR_PROXY_VERSION: 'dev',
        WEFT_INJECTOR_CONTROL_PLANE_NAMESPACE: 'mesh',
        WEFT_INJECTOR_TRUST_DOMAIN: 'example.org',
        WEFT_INJECTOR_TRUST_ANCHORS_FILE: '/anchors.pem',
        WEFT_INJECTOR_DEFAULT_INBOUND_POLICY: 'cluster-authenticated',
        WEFT_INJECTOR_NATIVE_SIDECAR: 'false',
      }),
      (path) => (path === '/anchors.pem' ? 'PEM' : noFiles(path)),
    );
    expect(c).toMatchObject({
      proxyImage: 'registry.local/weft/mesh:dev',
      controlPlaneNamespace: 'mesh',
      trustDomain: 'example.org',
      trustAnchorsPem: 'PEM',
      defaultInboundPolicy: 'cluster-authenticated',
      nativeSidecar: false,
      createdBy: 'weft/proxy-injector dev',
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => readInjectorConfig(reader({ WEFT_INJECTOR_DEFAULT_INBOUND_POLICY: 'open' }), noFiles)).toThrow(
      /WEFT_CP_INJECT_INVALID_CONFIG: WEFT_INJECTOR_DEFAULT_INBOUND_POLICY: "open"/,
    );
    expect(() => readInjectorConfig(reader({ WEFT_INJECTOR_TRUST_ANCHORS_FILE: '/missing' }), noFiles)).toThrow(
      /cannot read \/missing/,
    );
  });
});
