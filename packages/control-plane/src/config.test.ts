import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const env = (vars: Record<string, string>) => (name: string) => vars[name];

describe('loadConfig', () => {
  it('has working defaults', () => {
    const cfg = loadConfig(env({}));
    expect(cfg).toMatchObject({
      backend: 'local',
      listen: { host: '0.0.0.0', port: 8086 },
      admin: { host: '0.0.0.0', port: 9996 },
      clusterDomain: 'cluster.local',
      namespace: 'weft',
      trustDomain: 'cluster.local',
      defaultInboundPolicy: 'all-unauthenticated',
    });
  });

  it('reads every variable', () => {
    const cfg = loadConfig(
      env({
        WEFT_CP_BACKEND: 'k8s',
        WEFT_CP_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_CP_ADMIN_ADDR: '9990',
        WEFT_CP_DEFAULT_INBOUND_POLICY: 'cluster-authenticated',
        WEFT_CP_CLUSTER_NETWORKS: '10.0.0.0/8, 192.168.0.0/16',
        WEFT_CP_NAMESPACE: 'weft-system',
      }),
    );
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
  });
});
