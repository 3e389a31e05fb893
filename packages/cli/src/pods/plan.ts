import { randomBytes } from 'node:crypto';
import { DEFAULT_INJECTOR_CONFIG, initArgs, resolveProxySettings } from '@weft/control-plane/injector';
import { CliError, CliErrorCode } from '../errors.ts';
import { formatPrefix, nth, overlaps, type Prefix, parsePrefix, size } from './ipv4.ts';

// The network of a pods run, decided before anything is created: a pure
// function of the workloads, the Services and what the host already uses, so
// that it can be tested without root and written down whole (the state file)
// before set-up starts. Everything it names carries the run's suffix.

/** One workload as the runner describes it. */
export interface WorkloadSpec {
  /** A DNS label, e.g. `emoji`; also the pod's name. */
  readonly name: string;
  /** Its Kubernetes namespace, e.g. `emojivoto`. */
  readonly namespace: string;
  /** The Services (of its namespace) that select it. */
  readonly services: readonly string[];
  /** The ports its app listens on. */
  readonly ports: readonly number[];
  /** Whether it gets a sidecar, and so proxy-init's rules. */
  readonly meshed: boolean;
  /** Its pod's `config.weft.dev/*` annotations (skip ports, proxy uid), as the injector reads them. */
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ServicePort {
  readonly port: number;
  readonly targetPort: number;
}

export interface ServiceSpec {
  readonly name: string;
  readonly namespace: string;
  readonly ports: readonly ServicePort[];
}

export interface PodPlan {
  readonly workload: string;
  readonly namespace: string;
  /** The network namespace: `weft-<run>-<workload>`. */
  readonly netns: string;
  /** The host end of its veth, a port of the bridge; the pod's end is `eth0`. */
  readonly hostVeth: string;
  readonly address: string;
  readonly ports: readonly number[];
  /** weft-proxy-init's arguments, as the injector's init container has them; empty when not meshed. */
  readonly proxyInitArgs: readonly string[];
}

export interface ServicePlan {
  readonly name: string;
  readonly namespace: string;
  /** Its virtual IP, from the cluster range: no interface holds it. */
  readonly clusterIP: string;
  readonly ports: readonly ServicePort[];
  /** The pod addresses behind it. */
  readonly endpoints: readonly string[];
}

export interface PodNetworkPlan {
  /** Six hex digits, in every name the run creates. */
  readonly run: string;
  /** `weft-br-<run>`: 14 characters, under the kernel's 15. */
  readonly bridge: string;
  /** The bridge's address: the pods' default gateway, and the host as the pods see it. */
  readonly gateway: string;
  /** The pods' subnet, on the bridge: the lower half of the chosen /16. */
  readonly podCidr: string;
  /** The Services' virtual IPs: the upper half, routed only inside the pods. */
  readonly clusterCidr: string;
  readonly pods: readonly PodPlan[];
  readonly services: readonly ServicePlan[];
}

export interface PlanInput {
  readonly run: string;
  readonly workloads: readonly WorkloadSpec[];
  readonly services: readonly ServiceSpec[];
  /** What the host already uses (host-networks.ts). */
  readonly used: readonly Prefix[];
}

export const newRunId = (): string => randomBytes(3).toString('hex');

const IFNAMSIZ = 15;
const TEN = 10 * 2 ** 24; // 10.0.0.0
const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const bad = (message: string) => new CliError(CliErrorCode.Usage, `pod network: ${message}`);
const isPort = (p: number) => Number.isInteger(p) && p >= 1 && p <= 65535;

/**
 * The first 10.x.0.0/16 clear of everything in `used`, trying x from a
 * point that depends on the run, so that runs started together spread out.
 */
export function chooseSubnet(run: string, used: readonly Prefix[]): Prefix {
  const start = Number.parseInt(run, 16) % 256;
  for (let i = 0; i < 256; i++) {
    const candidate = { base: TEN + ((start + i) % 256) * 65536, length: 16 };
    if (!used.some((u) => overlaps(u, candidate))) return candidate;
  }
  throw new CliError(
    CliErrorCode.PodsNoSubnet,
    'every 10.x.0.0/16 overlaps a route, an address or a name server of this host',
  );
}

/** The /16 the plan took: pods and Services. */
export const subnetOf = (plan: PodNetworkPlan): Prefix => ({ ...(parsePrefix(plan.podCidr) as Prefix), length: 16 });

/** Whether anything in `used` overlaps the plan's /16: someone took it after the plan was made. */
export const clashes = (plan: PodNetworkPlan, used: readonly Prefix[]): boolean =>
  used.some((u) => overlaps(u, subnetOf(plan)));

function validate(input: PlanInput): void {
  if (!/^[0-9a-f]{6}$/.test(input.run)) throw bad(`run id "${input.run}" is not six hex digits`);
  const seen = new Set<string>();
  for (const w of input.workloads) {
    if (!LABEL.test(w.name) || !LABEL.test(w.namespace))
      throw bad(`workload "${w.namespace}/${w.name}": names must be DNS labels`);
    if (seen.has(w.name)) throw bad(`workload "${w.name}" is listed twice`);
    seen.add(w.name);
    const badPort = w.ports.find((p) => !isPort(p));
    if (badPort !== undefined) throw bad(`workload "${w.name}": ${badPort} is not a port`);
    for (const s of w.services)
      if (!input.services.some((svc) => svc.name === s && svc.namespace === w.namespace))
        throw bad(`workload "${w.name}" backs Service "${w.namespace}/${s}", which is not declared`);
  }
  for (const s of input.services) {
    if (!LABEL.test(s.name) || !LABEL.test(s.namespace))
      throw bad(`Service "${s.namespace}/${s.name}": not DNS labels`);
    if (s.ports.length === 0 || s.ports.some((p) => !isPort(p.port) || !isPort(p.targetPort)))
      throw bad(`Service "${s.namespace}/${s.name}" needs ports between 1 and 65535`);
  }
}

/** The network for these workloads and Services; throws USAGE on a bad description, NO_SUBNET when the host leaves no room. */
export function planPodNetwork(input: PlanInput): PodNetworkPlan {
  validate(input);
  const { run } = input;
  const subnet = chooseSubnet(run, input.used);
  const pods: Prefix = { base: subnet.base, length: 17 };
  const cluster: Prefix = { base: subnet.base + size(pods), length: 17 };
  // .0 is the network, .1 the gateway; the last address of the half is its broadcast.
  if (input.workloads.length > size(pods) - 3 || input.services.length > size(cluster) - 2)
    throw bad('more workloads or Services than a /17 holds');
  const hostVeth = (i: number) => `weft-${run}-${i}`;
  if (hostVeth(input.workloads.length - 1).length > IFNAMSIZ) throw bad('too many workloads for interface names');

  const podPlans = input.workloads.map(
    (w, i): PodPlan => ({
      workload: w.name,
      namespace: w.namespace,
      netns: `weft-${run}-${w.name}`,
      hostVeth: hostVeth(i),
      address: nth(pods, i + 2),
      ports: [...w.ports],
      proxyInitArgs: w.meshed
        ? initArgs(resolveProxySettings(w.annotations ?? {}, DEFAULT_INJECTOR_CONFIG), DEFAULT_INJECTOR_CONFIG)
        : [],
    }),
  );
  const services = input.services.map(
    (s, i): ServicePlan => ({
      name: s.name,
      namespace: s.namespace,
      clusterIP: nth(cluster, i + 1),
      ports: s.ports.map((p) => ({ ...p })),
      endpoints: input.workloads.flatMap((w, j) =>
        w.namespace === s.namespace && w.services.includes(s.name) ? [(podPlans[j] as PodPlan).address] : [],
      ),
    }),
  );
  return {
    run,
    bridge: `weft-br-${run}`,
    gateway: nth(pods, 1),
    podCidr: formatPrefix(pods),
    clusterCidr: formatPrefix(cluster),
    pods: podPlans,
    services,
  };
}
