import { describe, expect, it } from 'vitest';
import { parseYamlFile } from '../store/local/yaml-file.ts';
import { parseResource } from './parse.ts';
import { parseDurationMs } from './reader.ts';

describe('resource validation', () => {
  it('names the kind, the object and the field that is wrong', () => {
    const bad = {
      apiVersion: 'weft.dev/v1alpha2',
      kind: 'ServiceProfile',
      metadata: { name: 'web-svc.emojivoto.svc.cluster.local' },
      spec: {
        routes: [
          { name: 'ok', condition: { method: 'GET' } },
          { name: 'bad', condition: { pathRegex: '(' } },
        ],
      },
    };
    expect(() => parseResource(bad)).toThrow(
      /WEFT_CP_INVALID_RESOURCE: ServiceProfile web-svc\.emojivoto\.svc\.cluster\.local: spec\.routes\[1\]\.condition\.pathRegex: invalid regular expression/,
    );
    expect(() =>
      parseResource({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: [{ port: 0 }] } }),
    ).toThrow(/spec\.ports\[0\]\.port: expected a port 1-65535, got 0/);
    expect(() =>
      parseResource({
        apiVersion: 'policy.weft.dev/v1beta3',
        kind: 'Server',
        metadata: { name: 's' },
        spec: { port: 80 },
      }),
    ).toThrow(/spec\.podSelector: a Server needs a podSelector/);
  });

  it('derives the deployment from a pod owned by a ReplicaSet', () => {
    const pod = parseResource({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-5d8f7-abcde',
        namespace: 'emojivoto',
        labels: { 'pod-template-hash': '5d8f7' },
        ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5d8f7', controller: true }],
      },
      spec: {
        containers: [{ name: 'weft-proxy', env: [{ name: 'WEFT_PROXY_INBOUND_LISTEN_ADDR', value: '0.0.0.0:4243' }] }],
      },
    });
    expect(pod).toMatchObject({
      owner: { kind: 'deployment', name: 'web' },
      serviceAccount: 'default',
      proxyInboundPort: 4243,
    });
  });

  it('reads Go durations', () => {
    expect(parseDurationMs('300ms')).toBe(300);
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseDurationMs('10')).toBeUndefined();
    expect(parseDurationMs('5 s')).toBeUndefined();
  });
});

describe('YAML files', () => {
  it('skips kinds the control plane does not read and reads the rest of a multi-document file', () => {
    const text = [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }',
      'apiVersion: v1\nkind: Service\nmetadata: { name: web-svc, namespace: emojivoto }\nspec: { ports: [{ port: 80 }] }',
      '',
    ].join('\n---\n');
    expect(parseYamlFile('web.yaml', text).map((r) => `${r.kind}/${r.meta.name}`)).toEqual(['Service/web-svc']);
  });

  it('rejects the whole file when one document is bad, naming the document', () => {
    const text =
      'apiVersion: v1\nkind: Service\nmetadata: { name: a }\n---\napiVersion: v1\nkind: Service\nmetadata: {}\n';
    expect(() => parseYamlFile('svc.yaml', text)).toThrow(
      /svc\.yaml \(document 2\): Service \(unnamed\): metadata\.name/,
    );
  });

  it('refuses a mistyped kind in a group the control plane reads, at its line, with the kind meant', () => {
    const text = [
      'apiVersion: v1\nkind: Service\nmetadata: { name: voting-svc, namespace: emojivoto }\nspec: { ports: [{ port: 8080 }] }',
      'apiVersion: policy.weft.dev/v1beta3\nkind: Servr\nmetadata: { name: voting-grpc, namespace: emojivoto }\nspec: { port: grpc }',
    ].join('\n---\n');
    expect(() => parseYamlFile('authz.yaml', text)).toThrow(
      'WEFT_CP_INVALID_RESOURCE: authz.yaml (document 2) at line 7: unknown kind Servr in policy.weft.dev; did you mean Server?',
    );
    // Kinds of other groups are still skipped: a Deployment, a ConfigMap.
    expect(parseYamlFile('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n')).toEqual([]);
  });

  it("refuses a field the kind's CRD does not declare, or a wrong type, at its line", () => {
    const profile = (route: string) =>
      [
        'apiVersion: weft.dev/v1alpha2',
        'kind: ServiceProfile',
        'metadata: { name: voting-svc.emojivoto.svc.cluster.local, namespace: emojivoto }',
        'spec:',
        '  routes:',
        '  - name: vote',
        route,
        '    isRetryable: true',
      ].join('\n');
    expect(() => parseYamlFile('profile.yaml', profile('    condtion: { method: POST, pathRegex: /vote }'))).toThrow(
      'WEFT_CP_INVALID_RESOURCE: profile.yaml at line 7: ServiceProfile: spec.routes[0].condtion: unknown field (not in CRD deploy/crds/serviceprofiles.yaml)',
    );
    expect(() =>
      parseYamlFile('profile.yaml', profile('    condition: { method: POST, pathRegex: /vote }\n    timeout: 300')),
    ).toThrow(/profile\.yaml at line 8: ServiceProfile: spec\.routes\[0\]\.timeout: must be string/);
    expect(parseYamlFile('profile.yaml', profile('    condition: { method: POST, pathRegex: /vote }'))).toHaveLength(1);
  });
});
