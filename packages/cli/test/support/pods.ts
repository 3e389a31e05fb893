import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { NETNS_ETC } from '../../src/pods/name-files.ts';
import type { ServiceSpec, WorkloadSpec } from '../../src/pods/plan.ts';

// What the pods network tests share: the workloads they plan, and how they
// look for what a run left on the machine.

export const workloads: WorkloadSpec[] = [
  { name: 'server', namespace: 'shop', services: ['orders'], ports: [8080], meshed: false },
  { name: 'client', namespace: 'shop', services: [], ports: [], meshed: true },
  { name: 'plain', namespace: 'shop', services: ['stock'], ports: [9000], meshed: false },
];
export const services: ServiceSpec[] = [
  { name: 'orders', namespace: 'shop', ports: [{ port: 80, targetPort: 8080 }] },
  { name: 'stock', namespace: 'shop', ports: [{ port: 9000, targetPort: 9000 }] },
];

/** Whatever of the run is still on the machine: namespaces, interfaces, /etc/netns folders. */
export function leftovers(run: string): string[] {
  const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n');
  const links = (JSON.parse(spawnSync('ip', ['-j', 'link'], { encoding: 'utf8' }).stdout) as { ifname: string }[]).map(
    (l) => l.ifname,
  );
  const etc = existsSync(NETNS_ETC) ? spawnSync('ls', [NETNS_ETC], { encoding: 'utf8' }).stdout.split('\n') : [];
  return [...netns, ...links, ...etc].filter((name) => name.includes(run));
}

/** Whether the process still runs: gone, or dead and waiting for a parent outside the test to reap it, is not. */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/** Polls `condition` until it holds; false after the deadline. */
export async function eventually(condition: () => boolean, deadlineMs = 10_000): Promise<boolean> {
  for (const end = Date.now() + deadlineMs; Date.now() < end; await new Promise((r) => setTimeout(r, 50)))
    if (condition()) return true;
  return condition();
}
