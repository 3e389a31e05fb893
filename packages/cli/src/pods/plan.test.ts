import { DEFAULT_INJECTOR_CONFIG, initArgs, resolveProxySettings } from '@weft/control-plane/injector';
import { describe, expect, it } from 'vitest';
import { CliErrorCode } from '../errors.ts';
import { usedPrefixes } from './host-networks.ts';
import { parsePrefix } from './ipv4.ts';
import { chooseSubnet, clashes, type PlanInput, planPodNetwork, subnetOf } from './plan.ts';

const emojivoto: Omit<PlanInput, 'used'> = {
  run: '0a1b2c',
  workloads: [
    { name: 'web', namespace: 'emojivoto', services: ['web-svc'], ports: [8080], meshed: true },
    { name: 'emoji', namespace: 'emojivoto', services: ['emoji-svc'], ports: [8080, 8801], meshed: true },
    { name: 'vote-bot', namespace: 'emojivoto', services: [], ports: [], meshed: false },
  ],
  services: [
    { name: 'web-svc', namespace: 'emojivoto', ports: [{ port: 80, targetPort: 8080 }] },
    { name: 'emoji-svc', namespace: 'emojivoto', ports: [{ port: 8080, targetPort: 8080 }] },
  ],
};

// Readings in the shape `ip -j` prints them on a host like a cloud VM's.
const host = {
  routes: JSON.stringify([
    { dst: 'default', gateway: '192.0.2.1', dev: 'eth0' },
    { dst: '192.0.2.0/24', dev: 'eth0' },
    { dst: '10.10.0.0/16', dev: 'docker0' },
    { type: 'local', dst: '127.0.0.1', table: 'local', dev: 'lo' },
  ]),
  addresses: JSON.stringify([
    { ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
    { ifname: 'wg0', addr_info: [{ family: 'inet', local: '10.11.3.4', prefixlen: 32 }] },
  ]),
  resolvConf: '# from DHCP\nnameserver 10.12.255.53\nnameserver fd00::53\nsearch example.org\n',
};

describe('the pods subnet', () => {
  it("keeps clear of the host's routes, addresses and name servers, whatever the run's starting point", () => {
    const used = usedPrefixes(host);
    expect(used.map((p) => `${p.base}/${p.length}`)).toHaveLength(6); // 5 prefixes + the nameserver; IPv6 and default left out
    // 0x0a starts at 10.10: docker0's route, wg0's address and the name server push it to 10.13.
    expect(chooseSubnet('00000a', used)).toEqual(parsePrefix('10.13.0.0/16'));
    expect(chooseSubnet('0000ff', used)).toEqual(parsePrefix('10.255.0.0/16'));
  });

  it('fails with NO_SUBNET when a route covers all of 10/8', () => {
    const used = [parsePrefix('10.0.0.0/8')].filter((p) => p !== undefined);
    expect(() => chooseSubnet('000000', used)).toThrow(expect.objectContaining({ code: CliErrorCode.PodsNoSubnet }));
  });
});

describe('a subnet taken while the run set it up', () => {
  const plan = planPodNetwork({ ...emojivoto, used: [] });
  // What the host shows once the run's bridge is up, and another network came up on the same /16.
  const after = (rival: boolean) => ({
    routes: JSON.stringify([
      { dst: plan.podCidr, dev: plan.bridge, prefsrc: plan.gateway },
      ...(rival ? [{ dst: '10.44.0.0/24', dev: 'podman1' }] : []),
    ]),
    addresses: JSON.stringify([{ ifname: plan.bridge, addr_info: [{ local: plan.gateway, prefixlen: 17 }] }]),
    resolvConf: '',
  });

  it("is seen once the run's bridge exists, which itself is no clash", () => {
    expect(plan.podCidr).toBe('10.44.0.0/17');
    expect(clashes(plan, usedPrefixes(after(false), plan.bridge))).toBe(false);
    expect(clashes(plan, usedPrefixes(after(true), plan.bridge))).toBe(true);
  });

  it('takes the whole /16 out of the next plan, Service range included', () => {
    const next = planPodNetwork({ ...emojivoto, used: [subnetOf(plan)] });
    expect(next.podCidr).toBe('10.45.0.0/17');
    expect(next.clusterCidr).toBe('10.45.128.0/17');
  });
});

describe('the pod network plan', () => {
  const plan = planPodNetwork({ ...emojivoto, used: usedPrefixes(host) });

  it('names everything after the run, within the kernel limit for interfaces', () => {
    expect(plan.bridge).toBe('weft-br-0a1b2c');
    expect(plan.pods.map((p) => [p.netns, p.hostVeth])).toEqual([
      ['weft-0a1b2c-web', 'weft-0a1b2c-0'],
      ['weft-0a1b2c-emoji', 'weft-0a1b2c-1'],
      ['weft-0a1b2c-vote-bot', 'weft-0a1b2c-2'],
    ]);
    for (const name of [plan.bridge, ...plan.pods.map((p) => p.hostVeth)]) expect(name.length).toBeLessThanOrEqual(15);
  });

  it('gives pods addresses behind the gateway and Services virtual IPs from the other half', () => {
    // 0x0a1b2c % 256 = 0x2c = 44: the first free /16 from 10.44.
    expect(plan).toMatchObject({ gateway: '10.44.0.1', podCidr: '10.44.0.0/17', clusterCidr: '10.44.128.0/17' });
    expect(plan.pods.map((p) => p.address)).toEqual(['10.44.0.2', '10.44.0.3', '10.44.0.4']);
    expect(plan.services).toEqual([
      {
        name: 'web-svc',
        namespace: 'emojivoto',
        clusterIP: '10.44.128.1',
        ports: [{ port: 80, targetPort: 8080 }],
        endpoints: ['10.44.0.2'],
      },
      {
        name: 'emoji-svc',
        namespace: 'emojivoto',
        clusterIP: '10.44.128.2',
        ports: [{ port: 8080, targetPort: 8080 }],
        endpoints: ['10.44.0.3'],
      },
    ]);
  });

  it("gives meshed pods the injector's proxy-init arguments, with their annotations, and others none", () => {
    const skip = { 'config.weft.dev/skip-outbound-ports': '5432' };
    const annotated = planPodNetwork({
      ...emojivoto,
      workloads: emojivoto.workloads.map((w) => (w.name === 'web' ? { ...w, annotations: skip } : w)),
      used: [],
    });
    const injector = (a: Record<string, string>) =>
      initArgs(resolveProxySettings(a, DEFAULT_INJECTOR_CONFIG), DEFAULT_INJECTOR_CONFIG);
    expect(annotated.pods.map((p) => p.proxyInitArgs)).toEqual([injector(skip), injector({}), []]);
    expect(annotated.pods[0]?.proxyInitArgs).toContain('5432');
  });

  it('is written down as JSON and read back the same', () => {
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it.each([
    ['a run id that is not six hex digits', { run: 'zz' }, 'run id "zz"'],
    [
      'a workload backing an undeclared Service',
      { workloads: [{ name: 'a', namespace: 'n', services: ['nope'], ports: [], meshed: true }] },
      'backs Service "n/nope", which is not declared',
    ],
    [
      'a name that is no DNS label',
      { workloads: [{ name: 'Web_1', namespace: 'n', services: [], ports: [], meshed: true }] },
      'names must be DNS labels',
    ],
    [
      'a workload listed twice',
      { workloads: [emojivoto.workloads[2], emojivoto.workloads[2]] },
      'workload "vote-bot" is listed twice',
    ],
    [
      'a Service port out of range',
      { workloads: [], services: [{ name: 's', namespace: 'n', ports: [{ port: 0, targetPort: 80 }] }] },
      'needs ports between 1 and 65535',
    ],
  ])('refuses %s with USAGE', (_what, change, message) => {
    expect(() => planPodNetwork({ ...emojivoto, ...change, used: [] } as PlanInput)).toThrow(
      expect.objectContaining({ code: CliErrorCode.Usage, message: expect.stringContaining(message) }),
    );
  });
});
