import { mkdirSync, writeFileSync } from 'node:fs';
import { PACKAGES } from '../dev/mesh-services.ts';
import { CliError, CliErrorCode } from '../errors.ts';
import { ipBatch, tryCommandAsync } from './ip-command.ts';
import { hostsFile, NETNS_ETC, resolvConf } from './name-files.ts';
import type { PodNetworkPlan, PodPlan } from './plan.ts';
import { podCommand } from './pod-command.ts';

// Builds the plan on this machine. The host gains one bridge with the
// gateway address (and so one route, to the pods' subnet) and nothing else:
// no NAT, no forwarding sysctl, no change to loopback. Pods talk to each
// other across the bridge at layer 2 and to the host at the gateway address;
// a Service's virtual IP is routed to the gateway only so that connect()
// finds a route and proxy-init's OUTPUT rule can take the connection first.

/** weft-proxy-init's entry point, the command the injector's init container runs. */
const PROXY_INIT_MAIN = `${PACKAGES}control-plane/src/injector/proxy-init/main.ts`;

const prefixLength = (cidr: string) => cidr.split('/')[1] as string;

/**
 * Keeps IPv6 off a host-side interface before it comes up: otherwise each
 * would give the host a link-local address and routes of its own. The pods'
 * ends keep theirs, inside the pods.
 */
function withoutIpv6(ifname: string): void {
  try {
    writeFileSync(`/proc/sys/net/ipv6/conf/${ifname}/disable_ipv6`, '1');
  } catch (err) {
    // A host without IPv6 has no such file, and nothing to keep off.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function createBridge(plan: PodNetworkPlan): void {
  ipBatch([`link add ${plan.bridge} type bridge`]);
  withoutIpv6(plan.bridge);
  ipBatch([`addr add ${plan.gateway}/${prefixLength(plan.podCidr)} dev ${plan.bridge}`, `link set ${plan.bridge} up`]);
}

function createPod(plan: PodNetworkPlan, pod: PodPlan): void {
  // The pod's end is made inside its namespace, so it can be eth0 as in a container.
  ipBatch([`netns add ${pod.netns}`, `link add ${pod.hostVeth} type veth peer name eth0 netns ${pod.netns}`]);
  withoutIpv6(pod.hostVeth);
  ipBatch([`link set ${pod.hostVeth} master ${plan.bridge} up`]);
  ipBatch(
    [
      'link set lo up',
      `addr add ${pod.address}/${prefixLength(plan.podCidr)} dev eth0`,
      'link set eth0 up',
      `route add default via ${plan.gateway} dev eth0`,
      `route add ${plan.clusterCidr} via ${plan.gateway} dev eth0`,
    ],
    pod.netns,
  );
  const etc = `${NETNS_ETC}/${pod.netns}`;
  mkdirSync(etc, { recursive: true });
  writeFileSync(`${etc}/hosts`, hostsFile(plan, pod));
  writeFileSync(`${etc}/resolv.conf`, resolvConf(pod));
}

/** Runs the real weft-proxy-init in the pod, as root, as the init container would. */
async function installRedirect(pod: PodPlan): Promise<void> {
  const { command, args } = podCommand(pod.netns, [process.execPath, PROXY_INIT_MAIN, ...pod.proxyInitArgs]);
  const r = await tryCommandAsync(command, args);
  if (!r.ok) throw new CliError(CliErrorCode.PodsNetwork, `weft-proxy-init in ${pod.netns}: ${r.stderr || 'failed'}`);
}

/** Runs a set-up step; a file that could not be written (/etc/netns, /proc/sys) fails it with the same code. */
function step(plan: PodNetworkPlan, make: () => void): void {
  try {
    make();
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(CliErrorCode.PodsNetwork, `pods run ${plan.run}: ${(err as Error).message}`, { cause: err });
  }
}

/** Creates the bridge with the gateway address: from here on the host routes the pods' subnet to it. */
export const applyBridge = (plan: PodNetworkPlan): void => step(plan, () => createBridge(plan));

/**
 * Creates each pod: namespace, veth, address, routes, name files and, when
 * meshed, proxy-init's rules. Throws PODS_NETWORK at the first step that
 * fails; the caller tears down (the plan names all there can be).
 */
export async function applyPods(plan: PodNetworkPlan): Promise<void> {
  step(plan, () => {
    for (const pod of plan.pods) createPod(plan, pod);
  });
  // One Node process per meshed pod, most of its time spent starting: side by side, not one after another.
  const redirects = await Promise.allSettled(plan.pods.filter((p) => p.proxyInitArgs.length > 0).map(installRedirect));
  const failed = redirects.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}
