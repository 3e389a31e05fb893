import type { Inventory } from '../client.ts';
import type { LocalProcess } from '../workload.ts';
import { identityChecks } from './identity-checks.ts';
import { controlPlaneChecks, dataPlaneChecks, resourceChecks } from './mesh-checks.ts';
import { processChecks } from './process-checks.ts';
import { type CheckCategory, fail, ok } from './result.ts';

// Every check of `weft check`, in its order: from the CLI, the inventory comes
// over the viz API; from the viz server's health page, from the server itself.

export async function runChecks(
  readInventory: () => Promise<Inventory>,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ categories: CheckCategory[]; processes: readonly LocalProcess[] }> {
  const name = 'weft-viz';
  let inventory: Inventory;
  try {
    inventory = await readInventory();
  } catch (err) {
    const hint = 'start `weft dev` here, or pass --api-addr / set WEFT_API_ADDR';
    return {
      categories: [{ name, checks: [fail('viz API is reachable', hint, [(err as Error).message])] }],
      processes: [],
    };
  }
  const viz: CheckCategory = {
    name,
    checks: [
      ok('viz API is reachable'),
      inventory.workloads.length > 0
        ? ok('viz recorder has proxies to scrape')
        : fail('viz recorder has proxies to scrape', 'no workload is registered; is `weft dev` still starting?'),
    ],
  };
  const [identity, controlPlane, dataPlane, resources] = await Promise.all([
    identityChecks(inventory.mesh),
    controlPlaneChecks(inventory.mesh, env),
    dataPlaneChecks(inventory),
    resourceChecks(inventory.mesh),
  ]);
  // An older viz server sends no processes.
  const processes = inventory.processes ?? [];
  const supervised = processChecks(processes);
  return {
    categories: [
      viz,
      ...(supervised ? [supervised] : []),
      controlPlane,
      identity,
      dataPlane,
      ...(resources ? [resources] : []),
    ],
    processes,
  };
}
