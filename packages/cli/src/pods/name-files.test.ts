import { describe, expect, it } from 'vitest';
import { hostsFile, resolvConf } from './name-files.ts';
import { planPodNetwork } from './plan.ts';

describe("a pod's name files", () => {
  const plan = planPodNetwork({
    run: 'abcdef',
    workloads: [
      { name: 'web', namespace: 'emojivoto', services: [], ports: [8080], meshed: true },
      { name: 'prom', namespace: 'monitoring', services: [], ports: [9090], meshed: false },
    ],
    services: [
      { name: 'emoji-svc', namespace: 'emojivoto', ports: [{ port: 8080, targetPort: 8080 }] },
      { name: 'prometheus', namespace: 'monitoring', ports: [{ port: 9090, targetPort: 9090 }] },
    ],
    used: [],
  });
  const [web, prom] = plan.pods as [(typeof plan.pods)[0], (typeof plan.pods)[0]];

  it("names every Service by its qualified names, and by its short name in its own namespace's pods only", () => {
    expect(hostsFile(plan, web)).toBe(
      [
        '127.0.0.1\tlocalhost',
        '::1\tlocalhost ip6-localhost ip6-loopback',
        '10.239.128.1\temoji-svc emoji-svc.emojivoto emoji-svc.emojivoto.svc emoji-svc.emojivoto.svc.cluster.local',
        '10.239.128.2\tprometheus.monitoring prometheus.monitoring.svc prometheus.monitoring.svc.cluster.local',
        '',
      ].join('\n'),
    );
    expect(hostsFile(plan, prom)).toContain('10.239.128.2\tprometheus prometheus.monitoring');
    expect(hostsFile(plan, prom)).toContain('10.239.128.1\temoji-svc.emojivoto emoji-svc.emojivoto.svc');
  });

  it("searches the pod's namespace first, as on Kubernetes, and names no server outside the pod", () => {
    expect(resolvConf(web)).toBe(
      'search emojivoto.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n',
    );
    expect(resolvConf(prom)).toMatch(/^search monitoring\.svc\.cluster\.local /);
    expect(resolvConf(web)).not.toContain('nameserver');
  });
});
