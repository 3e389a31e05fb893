import { CliError, CliErrorCode } from '../errors.ts';
import { applyBridge, applyPods } from './apply.ts';
import { readHostNetworks, usedPrefixes } from './host-networks.ts';
import type { Prefix } from './ipv4.ts';
import {
  clashes,
  newRunId,
  type PodNetworkPlan,
  planPodNetwork,
  type ServiceSpec,
  subnetOf,
  type WorkloadSpec,
} from './plan.ts';
import { checkHost } from './preflight.ts';
import { DEFAULT_STATE_DIR, writeRunState } from './run-state.ts';
import { cleanupStaleRuns, teardownPodNetwork } from './teardown.ts';

// The pods runner's one call: checks the machine, clears what dead runs left
// (before reading the host's routes, so their bridges do not crowd the choice
// of subnet), plans, records the plan, builds it. A set-up that fails is torn
// down before the error is thrown, so a failed start leaves nothing.

export interface PodNetworkOptions {
  readonly workloads: readonly WorkloadSpec[];
  readonly services: readonly ServiceSpec[];
  readonly stateDir?: string;
  /** The first plan's run id; a random one when not given, and for any plan after it. */
  readonly run?: string;
  readonly warn?: (message: string) => void;
}

export interface PodNetwork {
  readonly plan: PodNetworkPlan;
  /** Idempotent; synchronous, so it may run from a process 'exit' handler. */
  teardown(): void;
}

// Two starts at the same moment can choose the same free /16; each sees the
// other's bridge once its own exists, backs off, and plans again with a new
// run id (so a new starting point for the choice).
const PLANS = 3;

export async function startPodNetwork(options: PodNetworkOptions): Promise<PodNetwork> {
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  const warn = options.warn ?? console.warn;
  checkHost();
  cleanupStaleRuns(stateDir, warn);
  const taken: Prefix[] = [];
  for (let attempt = 0; attempt < PLANS; attempt++) {
    const plan = planPodNetwork({
      run: (attempt === 0 ? options.run : undefined) ?? newRunId(),
      workloads: options.workloads,
      services: options.services,
      used: [...usedPrefixes(readHostNetworks()), ...taken],
    });
    writeRunState(stateDir, plan);
    const teardown = () => teardownPodNetwork(plan, stateDir);
    try {
      applyBridge(plan);
      if (!clashes(plan, usedPrefixes(readHostNetworks(), plan.bridge))) {
        await applyPods(plan);
        return { plan, teardown };
      }
      taken.push(subnetOf(plan));
      teardown();
    } catch (err) {
      try {
        teardown();
      } catch (cleanupErr) {
        warn(`pods: ${(cleanupErr as Error).message}`);
      }
      throw err;
    }
  }
  throw new CliError(CliErrorCode.PodsNoSubnet, `another network took each of ${PLANS} subnets as this run set it up`);
}
