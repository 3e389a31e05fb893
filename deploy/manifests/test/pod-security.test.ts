import type { V1Namespace, V1PodSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { deployObjects } from './deploy-objects.ts';
import { restrictedViolations } from './pod-security.ts';

const objects = deployObjects('.');
const restricted = new Set(
  (objects.filter((o) => o.kind === 'Namespace') as V1Namespace[])
    .filter((ns) => ns.metadata?.labels?.['pod-security.kubernetes.io/enforce'] === 'restricted')
    .map((ns) => ns.metadata?.name),
);
const podsIn = (namespaces: Set<string | undefined>) =>
  objects
    .filter((o) => namespaces.has(o.metadata?.namespace as string))
    .flatMap((o) => {
      const spec = (o.spec ?? {}) as { template?: { spec?: V1PodSpec } };
      return spec.template?.spec ? [{ name: `${o.kind}/${o.metadata?.name}`, pod: spec.template.spec }] : [];
    });

describe('namespaces that enforce the restricted Pod Security Standard', () => {
  it('are the control plane’s and Prometheus’s', () => {
    expect([...restricted].sort()).toEqual(['weft-system', 'weft-viz']);
  });

  it('hold only pods the standard admits', () => {
    const pods = podsIn(restricted);
    expect(pods.map((p) => p.name).sort()).toEqual([
      'Deployment/prometheus',
      'Deployment/weft-destination',
      'Deployment/weft-identity',
      'Deployment/weft-proxy-injector',
    ]);
    for (const { name, pod } of pods) expect(restrictedViolations(pod), name).toEqual([]);
  });

  it('would refuse a meshed pod: proxy-init needs NET_ADMIN and root', () => {
    // Why emojivoto's and k6's namespaces cannot enforce it: their pods get weft-init.
    const pod: V1PodSpec = {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: [
        {
          name: 'weft-init',
          securityContext: {
            runAsUser: 0,
            runAsNonRoot: false,
            allowPrivilegeEscalation: false,
            capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
          },
        },
      ],
      containers: [],
    };
    expect(restrictedViolations(pod)).toEqual([
      'container weft-init: runAsNonRoot is not true',
      'container weft-init: runAsUser 0',
      'container weft-init: adds NET_ADMIN',
      'container weft-init: adds NET_RAW',
    ]);
  });
});
