import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBE, ProbeListener as Probe, type ProbeListener, reached } from '@weft/original-dst/netns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvConf } from '../src/pods/name-files.ts';
import type { PodNetworkPlan } from '../src/pods/plan.ts';
import { APP_UID, PROXY_UID, podCommand } from '../src/pods/pod-command.ts';
import { type PodNetwork, startPodNetwork } from '../src/pods/pod-network.ts';
import { leftovers, services, workloads } from './support/pods.ts';

// The pods network built for real (root, Linux): namespaces, veths, a
// bridge, proxy-init's rules. Traffic goes only between the namespaces these
// tests create; every name carries the run's suffix and is checked gone.

const hostRoutes = () =>
  JSON.parse(spawnSync('ip', ['-j', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }).stdout) as {
    dst: string;
    dev?: string;
    table?: string;
  }[];
const ipForward = () => readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');

const children = new Set<ChildProcess>();
function inPod(netns: string, argv: string[], uid?: number): ChildProcess {
  const { command, args } = podCommand(netns, argv, { uid });
  const child = spawn(command, args, { stdio: 'pipe' });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
const listen = (netns: string, host: string, port: number, uid: number) =>
  Probe.start(inPod(netns, [process.execPath, PROBE, 'listen', host, String(port)], uid));
const connect = (netns: string, host: string, port: number, uid: number) =>
  reached(inPod(netns, [process.execPath, PROBE, 'connect', host, String(port)], uid));
const stopChildren = () => {
  for (const child of children) child.kill('SIGKILL');
};

describe('the pods network', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'weft-pods-state-'));
  const forwardBefore = ipForward();
  const routesBefore = hostRoutes();
  let network: PodNetwork | undefined;
  let plan: PodNetworkPlan;
  let server: ProbeListener;
  let proxy: ProbeListener;
  const pod = (workload: string) => plan.pods.find((p) => p.workload === workload) as PodNetworkPlan['pods'][0];

  beforeAll(async () => {
    network = await startPodNetwork({ workloads, services, stateDir });
    plan = network.plan;
    [server, proxy] = await Promise.all([
      listen(pod('server').netns, pod('server').address, 8080, APP_UID),
      // Stands for the sidecar: proxy-init sends the pod's outbound connections to 4140.
      listen(pod('client').netns, '0.0.0.0', 4140, PROXY_UID),
    ]);
  });

  afterAll(() => {
    stopChildren();
    try {
      network?.teardown();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
    if (plan) expect(leftovers(plan.run)).toEqual([]);
  });

  it('adds the bridge and its route to the host and nothing else; forwarding stays as it was', () => {
    // Other software may add interfaces meanwhile (containers): the host's own are loopback and its uplinks.
    const uplinks = new Set(['lo', ...routesBefore.filter((r) => r.dst === 'default').map((r) => r.dev)]);
    const own = (routes: ReturnType<typeof hostRoutes>) => routes.filter((r) => uplinks.has(r.dev));
    const after = hostRoutes();
    expect(own(after)).toEqual(own(routesBefore));
    // The run's interfaces: only the bridge has routes, and only one outside the local table, to the pods.
    expect(after.filter((r) => r.dev?.includes(plan.run) && r.dev !== plan.bridge)).toEqual([]);
    expect(after.filter((r) => r.dev === plan.bridge && !r.table)).toEqual([
      expect.objectContaining({ dst: plan.podCidr, prefsrc: plan.gateway }),
    ]);
    expect(ipForward()).toBe(forwardBefore);
  });

  it("resolves a Service's names, in every spelling, to its virtual IP inside a pod", () => {
    const orders = plan.services.find((s) => s.name === 'orders')?.clusterIP as string;
    for (const name of ['orders', 'orders.shop', 'orders.shop.svc.cluster.local']) {
      const { command, args } = podCommand(pod('plain').netns, ['getent', 'hosts', name], { uid: APP_UID });
      const r = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
      expect(r.stdout, `${name}: ${r.stderr}`).toMatch(new RegExp(`^${orders.replaceAll('.', '\\.')}\\s`));
    }
  });

  it('sees its own resolv.conf, which names no server, so a name outside the mesh is not found and no query leaves', () => {
    const inPlain = (argv: string[]) => {
      const { command, args } = podCommand(pod('plain').netns, argv, { uid: APP_UID });
      return spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
    };
    expect(inPlain(['cat', '/etc/resolv.conf']).stdout).toBe(resolvConf(pod('plain')));
    expect(inPlain(['getent', 'hosts', 'orders.example.org']).status).toBe(2); // getent's "not found"
  });

  it("reaches another pod at its address, which sees the caller's own address (no NAT)", async () => {
    expect(await connect(pod('plain').netns, pod('server').address, 8080, APP_UID)).toEqual({
      connected: true,
      reply: 'landed',
    });
    expect(await server.landed()).toMatchObject({ local: pod('server').address, remote: pod('plain').address });
  });

  it("sends a meshed app's connection to a Service name to its proxy's outbound port, which reads the virtual IP:port", async () => {
    const orders = plan.services.find((s) => s.name === 'orders')?.clusterIP;
    expect(await connect(pod('client').netns, 'orders', 80, APP_UID)).toMatchObject({ connected: true });
    expect(await proxy.landed()).toMatchObject({
      localPort: 4140,
      originalDst: { address: orders, port: 80, family: 4 },
    });
  });

  it("lets the proxy's own connection to a pod address through, and redirects the app's", async () => {
    expect(await connect(pod('client').netns, pod('server').address, 8080, PROXY_UID)).toMatchObject({
      connected: true,
    });
    expect(await server.landed()).toMatchObject({ remote: pod('client').address });
    expect(await connect(pod('client').netns, pod('server').address, 8080, APP_UID)).toMatchObject({
      connected: true,
    });
    expect(await proxy.landed()).toMatchObject({ originalDst: { address: pod('server').address, port: 8080 } });
  });

  it('tears down to nothing, state file included, and a second teardown finds nothing to do', () => {
    network?.teardown();
    expect(leftovers(plan.run)).toEqual([]);
    expect(existsSync(join(stateDir, `${plan.run}.json`))).toBe(false);
    expect(() => network?.teardown()).not.toThrow();
    expect(ipForward()).toBe(forwardBefore);
  });
});
