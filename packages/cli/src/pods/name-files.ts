import { DEFAULT_INJECTOR_CONFIG } from '@weft/control-plane/injector';
import type { PodNetworkPlan, PodPlan } from './plan.ts';

// Names inside a pod come from files, not from a DNS server: `ip netns exec`
// bind-mounts /etc/netns/<netns>/hosts and resolv.conf over /etc's, and glibc
// (so Node's dns.lookup and grpc-js) reads hosts first. Every spelling a
// Kubernetes pod may use for a Service is written out, because the resolver's
// search list applies to DNS queries only, never to the hosts file.

/** Where `ip netns exec` looks for a namespace's own /etc files. */
export const NETNS_ETC = '/etc/netns';

const CLUSTER_DOMAIN = DEFAULT_INJECTOR_CONFIG.clusterDomain;

/** The hosts file of one pod: its Services by every name, the short name only for its own namespace's. */
export function hostsFile(plan: PodNetworkPlan, pod: PodPlan): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (const s of plan.services) {
    const qualified = [`${s.name}.${s.namespace}`, `${s.name}.${s.namespace}.svc`];
    qualified.push(`${qualified[1]}.${CLUSTER_DOMAIN}`);
    const names = s.namespace === pod.namespace ? [s.name, ...qualified] : qualified;
    lines.push(`${s.clusterIP}\t${names.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The search list a pod of `namespace` has on Kubernetes, and no name server:
 * a name that is not in the hosts file goes to 127.0.0.1 inside the pod and
 * is refused there, so no lookup ever leaves the pod network.
 */
export function resolvConf(pod: PodPlan): string {
  const search = [`${pod.namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN];
  return `search ${search.join(' ')}\noptions ndots:5\n`;
}
