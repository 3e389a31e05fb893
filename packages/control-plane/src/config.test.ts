import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const env = (vars: Record<string, string>) => (name: string) => vars[name];

describe('loadConfig', () => {
  const IDENTITY = { WEFT_CP_IDENTITY_TRUST_ANCHORS: 'anchors', WEFT_CP_IDENTITY_SVC_ADDR: 'identity:8080' };

  it('has working defaults', () => {
    const cfg = loadConfig(env(IDENTITY));
    expect(cfg).toMatchObject({
      backend: 'local',
      listen: { host: '127.0.0.1', port: 8086 },
      admin: { host: '127.0.0.1', port: 9996 },
      clusterDomain: 'cluster.local',
      namespace: 'weft',
      trustDomain: 'cluster.local',
      defaultInboundPolicy: 'all-unauthenticated',
      maxWatchesPerClient: 1000,
      registrationIdentity: 'weft-dev.weft.serviceaccount.identity.weft.cluster.local',
      identity: {
        name: 'weft-destination.weft.serviceaccount.identity.weft.cluster.local',
        trustAnchorsPem: 'anchors',
        serviceAddr: 'identity:8080',
        serviceName: 'weft-identity.weft.serviceaccount.identity.weft.cluster.local',
        tokenFile: '/var/run/secrets/tokens/weft-identity-token',
      },
    });
  });

  it('binds every address on Kubernetes, and only loopback locally', () => {
    const k8s = loadConfig(env({ ...IDENTITY, WEFT_CP_BACKEND: 'k8s' }));
    expect([k8s.listen.host, k8s.admin.host]).toEqual(['0.0.0.0', '0.0.0.0']);
    expect(() => loadConfig(env({ ...IDENTITY, WEFT_CP_LISTEN_ADDR: '0.0.0.0:8086' }))).toThrow(
      /WEFT_CP_LISTEN_ADDR=0.0.0.0:8086: the local backend listens on loopback only/,
    );
    expect(() => loadConfig(env({ ...IDENTITY, WEFT_CP_ADMIN_ADDR: '10.1.2.3:9996' }))).toThrow(/WEFT_CP_ADMIN_ADDR/);
  });

  it("listens on the pods' gateway that `weft dev --pods` names, and still on no other address", () => {
    const gateway = { ...IDENTITY, WEFT_CP_LOCAL_POD_GATEWAY: '10.46.0.1' };
    const pods = loadConfig(
      env({ ...gateway, WEFT_CP_LISTEN_ADDR: '10.46.0.1:8086', WEFT_CP_ADMIN_ADDR: '10.46.0.1:0' }),
    );
    expect([pods.listen.host, pods.admin.host]).toEqual(['10.46.0.1', '10.46.0.1']);
    expect(() => loadConfig(env({ ...gateway, WEFT_CP_LISTEN_ADDR: '0.0.0.0:8086' }))).toThrow(
      /WEFT_CP_LISTEN_ADDR=0.0.0.0:8086: the local backend listens on loopback only \(or the pods' gateway 10.46.0.1\)/,
    );
    expect(() => loadConfig(env({ ...IDENTITY, WEFT_CP_LOCAL_POD_GATEWAY: '10.46.0' }))).toThrow(
      /WEFT_CP_LOCAL_POD_GATEWAY=10.46.0 is not an IP address/,
    );
  });

  it('serves plaintext only when told to, and otherwise needs what it takes to certify itself', () => {
    expect(() => loadConfig(env({}))).toThrow(/WEFT_CP_IDENTITY_TRUST_ANCHORS is required/);
    expect(() => loadConfig(env({ WEFT_CP_IDENTITY_TRUST_ANCHORS: 'anchors' }))).toThrow(
      /WEFT_CP_IDENTITY_SVC_ADDR is required/,
    );
    expect(loadConfig(env({ WEFT_CP_PLAINTEXT: 'true' })).identity).toBeUndefined();
  });

  it('reads every variable', () => {
    const cfg = loadConfig(
      env({
        ...IDENTITY,
        WEFT_CP_BACKEND: 'k8s',
        WEFT_CP_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_CP_ADMIN_ADDR: '9990',
        WEFT_CP_DEFAULT_INBOUND_POLICY: 'cluster-authenticated',
        WEFT_CP_CLUSTER_NETWORKS: '10.0.0.0/8, 192.168.0.0/16',
        WEFT_CP_NAMESPACE: 'weft-system',
        WEFT_CP_MAX_WATCHES_PER_CLIENT: '50',
        WEFT_CP_IDENTITY_TOKEN_FILE: '/token',
      }),
    );
    expect(cfg.maxWatchesPerClient).toBe(50);
    expect(cfg.identity?.tokenFile).toBe('/token');
    expect(cfg.identity?.name).toBe('weft-destination.weft-system.serviceaccount.identity.weft-system.cluster.local');
    expect(cfg.listen).toEqual({ host: '127.0.0.1', port: 0 });
    expect(cfg.admin).toEqual({ host: '0.0.0.0', port: 9990 });
    expect(cfg.clusterNetworks).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
    expect(cfg.namespace).toBe('weft-system');
  });

  it('stops on a bad value, naming the variable', () => {
    expect(() => loadConfig(env({ WEFT_CP_BACKEND: 'docker' }))).toThrow(
      /WEFT_CP_INVALID_CONFIG: WEFT_CP_BACKEND=docker/,
    );
    expect(() => loadConfig(env({ WEFT_CP_DEFAULT_INBOUND_POLICY: 'allow' }))).toThrow(
      /WEFT_CP_DEFAULT_INBOUND_POLICY=allow/,
    );
    expect(() => loadConfig(env({ WEFT_CP_LISTEN_ADDR: 'localhost:http' }))).toThrow(/WEFT_CP_LISTEN_ADDR/);
    expect(() => loadConfig(env({ ...IDENTITY, WEFT_CP_MAX_WATCHES_PER_CLIENT: '0' }))).toThrow(
      /WEFT_CP_MAX_WATCHES_PER_CLIENT=0/,
    );
  });
});
