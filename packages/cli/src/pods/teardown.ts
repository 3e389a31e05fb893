import { rmSync } from 'node:fs';
import { CliError, CliErrorCode } from '../errors.ts';
import { ip } from './ip-command.ts';
import { NETNS_ETC } from './name-files.ts';
import type { PodNetworkPlan } from './plan.ts';
import { removeRunFiles } from './pod-files.ts';
import { removeRunState, staleRuns } from './run-state.ts';

// Removes what a plan names, whichever part of it exists: set-up may have
// stopped half-way, or an earlier teardown may have. Every name carries the
// run's random suffix, so nothing of another run or of the host matches.
// Each step is tried even when one fails; the failures are reported together.

const existingNetns = (): Set<string> =>
  new Set(
    ip('netns', 'list')
      .split('\n')
      .map((line) => line.split(' ')[0] as string),
  );

const existingLinks = (): Set<string> =>
  new Set((JSON.parse(ip('-j', 'link', 'show')) as { ifname: string }[]).map((l) => l.ifname));

/** Kills what still runs in the pod (a run that died leaves its apps orphaned there), then deletes it. */
function removeNetns(netns: string): void {
  for (const pid of ip('netns', 'pids', netns).split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  ip('netns', 'delete', netns);
}

/** Idempotent: removes the plan's namespaces, veths, bridge, /etc/netns folders and pod files, then its state file. */
export function teardownPodNetwork(plan: PodNetworkPlan, stateDir: string): void {
  const failures: string[] = [];
  const attempt = (step: () => void) => {
    try {
      step();
    } catch (err) {
      failures.push((err as Error).message);
    }
  };
  const netns = existingNetns();
  const links = existingLinks();
  for (const pod of plan.pods) {
    // The veth first: deleting the namespace may take the pair with it. Deleting
    // one end deletes the pair, even while a process still holds the namespace.
    if (links.has(pod.hostVeth)) attempt(() => ip('link', 'delete', pod.hostVeth));
    if (netns.has(pod.netns)) attempt(() => removeNetns(pod.netns));
    attempt(() => rmSync(`${NETNS_ETC}/${pod.netns}`, { recursive: true, force: true }));
  }
  if (links.has(plan.bridge)) attempt(() => ip('link', 'delete', plan.bridge));
  attempt(() => removeRunFiles(plan.run));
  if (failures.length > 0)
    throw new CliError(CliErrorCode.PodsNetwork, `tearing down pods run ${plan.run}:\n  ${failures.join('\n  ')}`);
  removeRunState(stateDir, plan.run);
}

/** Tears down every recorded run whose process is gone; returns their run ids. */
export function cleanupStaleRuns(stateDir: string, warn: (message: string) => void = console.warn): string[] {
  const cleaned: string[] = [];
  for (const state of staleRuns(stateDir, warn)) {
    try {
      teardownPodNetwork(state.plan, stateDir);
      cleaned.push(state.plan.run);
    } catch (err) {
      warn(`pods: leftovers of run ${state.plan.run} (pid ${state.pid}) remain: ${(err as Error).message}`);
    }
  }
  return cleaned;
}
