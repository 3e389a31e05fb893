import { applyPodNetwork } from './apply.ts';
import { readHostNetworks, usedPrefixes } from './host-networks.ts';
import { newRunId, type PodNetworkPlan, planPodNetwork, type ServiceSpec, type WorkloadSpec } from './plan.ts';
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
  readonly run?: string;
  readonly warn?: (message: string) => void;
}

export interface PodNetwork {
  readonly plan: PodNetworkPlan;
  /** Idempotent; synchronous, so it may run from a process 'exit' handler. */
  teardown(): void;
}

export function startPodNetwork(options: PodNetworkOptions): PodNetwork {
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  checkHost();
  cleanupStaleRuns(stateDir, options.warn);
  const plan = planPodNetwork({
    run: options.run ?? newRunId(),
    workloads: options.workloads,
    services: options.services,
    used: usedPrefixes(readHostNetworks()),
  });
  writeRunState(stateDir, plan);
  const teardown = () => teardownPodNetwork(plan, stateDir);
  try {
    applyPodNetwork(plan);
  } catch (err) {
    try {
      teardown();
    } catch (cleanupErr) {
      (options.warn ?? console.warn)(`pods: ${(cleanupErr as Error).message}`);
    }
    throw err;
  }
  return { plan, teardown };
}
