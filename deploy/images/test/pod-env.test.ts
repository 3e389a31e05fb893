import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Container } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClusterObjects, containerEnv, expand, podVolumes, type ScheduledPod } from './pod-env.ts';

const objects: ClusterObjects = {
  configMap: (ns, name) => ({ 'ca-bundle.crt': `anchors of ${ns}/${name}` }),
  secret: (ns, name) => ({ 'tls.key': `key of ${ns}/${name}` }),
  token: (sa, ns, audience) => `token of ${sa}.${ns} for ${audience}`,
};

const scheduled = (spec: ScheduledPod['pod']['spec']): ScheduledPod => ({
  pod: { spec },
  name: 'web-0',
  namespace: 'emojivoto',
  ip: '10.90.0.6',
  nodeName: 'node-a',
});

describe("a container's environment, as the kubelet fills it", () => {
  it('expands $(VAR) from earlier entries only, keeps $$ as one $, and leaves unknown references as written', () => {
    const vars = new Map([['A', 'one']]);
    expect(expand('$(A)-$(B)-$$(A)', vars)).toBe('one-$(B)-$(A)');
  });

  it('fills the downward-API fields, ConfigMap keys and earlier variables into env and args', () => {
    const c: V1Container = {
      name: 'weft-proxy',
      env: [
        { name: '_pod_name', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: '_pod_ns', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
        { name: 'CTX', value: '{"ns":"$(_pod_ns)","pod":"$(_pod_name)","later":"$(LATER)"}' },
        { name: 'ANCHORS', valueFrom: { configMapKeyRef: { name: 'roots', key: 'ca-bundle.crt' } } },
        { name: 'LATER', value: 'x' },
      ],
      args: ['--listen', '$(IP):8086'],
    };
    const { env, args } = containerEnv(scheduled({ containers: [c] }), c, objects);
    expect(env).toEqual([
      '_pod_name=web-0',
      '_pod_ns=emojivoto',
      'IP=10.90.0.6',
      'SA=default',
      'CTX={"ns":"emojivoto","pod":"web-0","later":"$(LATER)"}',
      'ANCHORS=anchors of emojivoto/roots',
      'LATER=x',
    ]);
    expect(args).toEqual(['--listen', '10.90.0.6:8086']);
  });

  it('refuses a field it cannot fill, naming it, rather than starting the container without it', () => {
    const c: V1Container = {
      name: 'app',
      env: [{ name: 'H', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }],
    };
    expect(() => containerEnv(scheduled({ containers: [c] }), c, objects)).toThrow(/status\.hostIP/);
  });
});

describe("a pod's volumes, as the kubelet fills them", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("writes projected tokens for the pod's ServiceAccount, Secrets and shared emptyDirs", () => {
    dir = mkdtempSync(join(tmpdir(), 'pod-volumes-'));
    const made = podVolumes(
      scheduled({
        serviceAccountName: 'web',
        containers: [],
        volumes: [
          {
            name: 'token',
            projected: { sources: [{ serviceAccountToken: { path: 't', audience: 'identity.weft.dev' } }] },
          },
          { name: 'issuer', secret: { secretName: 'weft-identity-issuer' } },
          { name: 'scratch', emptyDir: {} },
        ],
      }),
      dir,
      objects,
    );
    expect(readFileSync(join(made.get('token') ?? '', 't'), 'utf8')).toBe(
      'token of web.emojivoto for identity.weft.dev',
    );
    expect(readFileSync(join(made.get('issuer') ?? '', 'tls.key'), 'utf8')).toBe(
      'key of emojivoto/weft-identity-issuer',
    );
    expect(statSync(made.get('scratch') ?? '').mode & 0o7777).toBe(0o1777);
  });
});
