import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { podman, type TestStore } from './podman.ts';

const exec = promisify(execFile);

/** Marks the networks a test made, by its store, so a later run's sweep finds what a killed one left. */
const networkLabel = (store: TestStore) => `weft.dev/images-test=${store.dir}`;

/**
 * A podman network standing in for a cluster's pod network, and a range of
 * virtual IPs for its Services: the range is routed into the network from
 * every pod (as on a node), but nothing answers there, so a connection to a
 * Service IP reaches a pod only through its proxy's routing.
 */
export interface PodNetwork {
  readonly name: string;
  /** `a.b.c.0/24`: the pods' addresses. */
  readonly subnet: string;
  /** The host's address on the network's bridge: it reaches every pod, and routes the Service range. */
  readonly gateway: string;
  /** `a.b.c.0/24`: the Services' virtual IPs, outside the subnet. */
  readonly serviceRange: string;
  /** The nth Service's virtual IP (1-based). */
  serviceIp(n: number): string;
}

/** IPv4 /24s the host already routes, or that another podman network holds. */
async function takenPrefixes(store: TestStore): Promise<Set<string>> {
  const { stdout: routes } = await exec('ip', ['-4', 'route', 'show', 'table', 'all']);
  const { stdout: nets } = await podman(store, [
    'network',
    'inspect',
    '--format',
    '{{range .Subnets}}{{.Subnet}} {{end}}',
    ...(await networkNames(store)),
  ]).catch(() => ({ stdout: '' }));
  const taken = new Set<string>();
  for (const match of `${routes} ${nets}`.matchAll(/\b10\.(\d+)\.(\d+)\.\d+(?:\/(\d+))?/g)) {
    // A wider route (a /16, or the /17 of another run's bridge) takes all of its second octet.
    const bits = Number(match[3] ?? 32);
    taken.add(bits < 24 ? `10.${match[1]}` : `10.${match[1]}.${match[2]}`);
  }
  return taken;
}

async function networkNames(store: TestStore): Promise<string[]> {
  const { stdout } = await podman(store, ['network', 'ls', '--format', '{{.Name}}']);
  return stdout.split('\n').filter(Boolean);
}

/**
 * Creates the network on a 10.<a>.<b>.0/24 nothing on the host routes (pods
 * in 10.90–10.95, Services in 10.97–10.102 with the same third octet), so the
 * test's traffic never meets another network's.
 */
export async function createPodNetwork(store: TestStore, name: string): Promise<PodNetwork> {
  const taken = await takenPrefixes(store);
  const free = (a: number, b: number) => !taken.has(`10.${a}`) && !taken.has(`10.${a}.${b}`);
  for (let a = 90; a <= 95; a++) {
    for (let b = 0; b < 256; b++) {
      if (!free(a, b) || !free(a + 7, b)) continue;
      const subnet = `10.${a}.${b}.0/24`;
      const gateway = `10.${a}.${b}.1`;
      await podman(store, [
        'network',
        'create',
        '--disable-dns',
        '--label',
        networkLabel(store),
        '--subnet',
        subnet,
        '--gateway',
        gateway,
        name,
      ]);
      return {
        name,
        subnet,
        gateway,
        serviceRange: `10.${a + 7}.${b}.0/24`,
        serviceIp: (n) => `10.${a + 7}.${b}.${n}`,
      };
    }
  }
  throw new Error('no free 10.x.y.0/24 for the pod network');
}

/**
 * What a CNI plugin and a node's routes give a pod: its network, the Service
 * range via the gateway, and nothing else (no default route: the test's pods
 * reach each other and no other host).
 */
export async function routePod(infraPid: number, network: PodNetwork): Promise<void> {
  const inPod = (args: string[]) => exec('nsenter', [`--net=/proc/${infraPid}/ns/net`, 'ip', ...args]);
  await inPod(['route', 'del', 'default']).catch(() => undefined);
  await inPod(['route', 'replace', network.serviceRange, 'via', network.gateway]);
}

/** The networks runs on this store made and have not removed. */
export async function podNetworks(store: TestStore): Promise<string[]> {
  const { stdout } = await podman(store, [
    'network',
    'ls',
    '--filter',
    `label=${networkLabel(store)}`,
    '--format',
    '{{.Name}}',
  ]);
  return stdout.split('\n').filter(Boolean);
}

/** Removes the networks runs on this store made (this one, or one killed before its clean-up). */
export async function removePodNetworks(store: TestStore): Promise<void> {
  const names = await podNetworks(store);
  if (names.length > 0) await podman(store, ['network', 'rm', '--force', ...names]);
}
