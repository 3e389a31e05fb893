import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { PROBE, ProbeListener as Probe, type ProbeListener, reached } from '@weft/original-dst/netns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliErrorCode } from '../src/errors.ts';
import { NETNS_ETC, resolvConf } from '../src/pods/name-files.ts';
import type { PodNetworkPlan, ServiceSpec, WorkloadSpec } from '../src/pods/plan.ts';
import { newRunId } from '../src/pods/plan.ts';
import { APP_UID, PROXY_UID, podCommand } from '../src/pods/pod-command.ts';
import { type PodNetwork, startPodNetwork } from '../src/pods/pod-network.ts';
import { teardownPodNetwork } from '../src/pods/teardown.ts';

// The pods network built for real (root, Linux): namespaces, veths, a
// bridge, proxy-init's rules. Traffic goes only between the namespaces these
// tests create; every name carries the run's suffix and is checked gone.

const workloads: WorkloadSpec[] = [
  { name: 'server', namespace: 'shop', services: ['orders'], ports: [8080], meshed: false },
  { name: 'client', namespace: 'shop', services: [], ports: [], meshed: true },
  { name: 'plain', namespace: 'shop', services: ['stock'], ports: [9000], meshed: false },
];
const services: ServiceSpec[] = [
  { name: 'orders', namespace: 'shop', ports: [{ port: 80, targetPort: 8080 }] },
  { name: 'stock', namespace: 'shop', ports: [{ port: 9000, targetPort: 9000 }] },
];

/** Whatever of the run is still on the machine: namespaces, interfaces, /etc/netns folders. */
function leftovers(run: string): string[] {
  const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n');
  const links = (JSON.parse(spawnSync('ip', ['-j', 'link'], { encoding: 'utf8' }).stdout) as { ifname: string }[]).map(
    (l) => l.ifname,
  );
  const etc = existsSync(NETNS_ETC) ? spawnSync('ls', [NETNS_ETC], { encoding: 'utf8' }).stdout.split('\n') : [];
  return [...netns, ...links, ...etc].filter((name) => name.includes(run));
}

const hostRoutes = () =>
  JSON.parse(spawnSync('ip', ['-j', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }).stdout) as {
    dst: string;
    dev?: string;
    table?: string;
  }[];
/** Whether the process still runs: gone, or dead and waiting for a parent outside the test to reap it, is not. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/** Polls `condition` until it holds; false after the deadline. */
async function eventually(condition: () => boolean, deadlineMs = 10_000): Promise<boolean> {
  for (const end = Date.now() + deadlineMs; Date.now() < end; await new Promise((r) => setTimeout(r, 50)))
    if (condition()) return true;
  return condition();
}

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
    network = startPodNetwork({ workloads, services, stateDir });
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

describe('a pods set-up that fails half-way', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'weft-pods-state-'));
  const run = newRunId();
  afterAll(() => {
    spawnSync('ip', ['netns', 'delete', `weft-${run}-plain`]);
    rmSync(stateDir, { recursive: true, force: true });
    expect(leftovers(run)).toEqual([]);
  });

  it('fails with PODS_NETWORK naming the step, and removes the pods it had made before', () => {
    // The third pod's namespace is taken, so set-up stops after two pods.
    expect(spawnSync('ip', ['netns', 'add', `weft-${run}-plain`]).status).toBe(0);
    expect(() => startPodNetwork({ workloads, services, stateDir, run })).toThrow(
      expect.objectContaining({
        code: CliErrorCode.PodsNetwork,
        message: expect.stringContaining(`weft-${run}-plain`),
      }),
    );
    expect(leftovers(run)).toEqual([]);
    expect(existsSync(join(stateDir, `${run}.json`))).toBe(false);
  });
});

describe('a pods run that cannot record its plan', () => {
  it('fails with PODS_NETWORK before it makes anything', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'weft-pods-state-')), 'not-a-folder');
    writeFileSync(file, '');
    const run = newRunId();
    try {
      expect(() => startPodNetwork({ workloads, services, stateDir: file, run })).toThrow(
        expect.objectContaining({
          code: CliErrorCode.PodsNetwork,
          message: expect.stringContaining(`recording pods run ${run}`),
        }),
      );
      expect(leftovers(run)).toEqual([]);
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
  });
});

describe('a pods run that was killed', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'weft-pods-state-'));
  const unmeshed = workloads.map((w) => ({ ...w, meshed: false }));
  let runner: ChildProcess | undefined;
  let crashed: PodNetworkPlan | undefined;
  let next: PodNetwork | undefined;
  afterAll(() => {
    runner?.kill('SIGKILL');
    try {
      if (crashed) teardownPodNetwork(crashed, stateDir);
      next?.teardown();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
    for (const run of [crashed?.run, next?.plan.run]) if (run) expect(leftovers(run)).toEqual([]);
  });

  it('is cleaned up by the next start: its pods, their orphaned processes, its bridge and its state file', async () => {
    runner = spawn(
      process.execPath,
      [
        new URL('./support/hold-pod-network.ts', import.meta.url).pathname,
        JSON.stringify({ workloads: unmeshed, services, stateDir }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(createInterface({ input: runner.stdout as NodeJS.ReadableStream }), 'line')) as [string];
    const { plan, sleeper } = JSON.parse(line) as { plan: PodNetworkPlan; sleeper: number };
    crashed = plan;
    expect(running(sleeper)).toBe(true);
    runner.kill('SIGKILL');
    await once(runner, 'exit');
    expect(leftovers(plan.run).length).toBeGreaterThan(0);
    expect(existsSync(join(stateDir, `${plan.run}.json`))).toBe(true);

    next = startPodNetwork({ workloads: unmeshed, services, stateDir });
    expect(leftovers(plan.run)).toEqual([]);
    expect(existsSync(join(stateDir, `${plan.run}.json`))).toBe(false);
    expect(await eventually(() => !running(sleeper))).toBe(true);
    expect(next.plan.run).not.toBe(plan.run);
  });
});
