import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { CliError, CliErrorCode, failWith } from '../errors.ts';
import { parseOutput } from '../output/format.ts';
import { renderJson } from '../output/table.ts';
import { identityChecks } from '../viz/check/identity-checks.ts';
import { controlPlaneChecks, dataPlaneChecks, resourceChecks } from '../viz/check/mesh-checks.ts';
import { processChecks } from '../viz/check/process-checks.ts';
import { type CheckCategory, checksJson, fail, ok, passed, renderChecks } from '../viz/check/result.ts';
import { type Inventory, VizClient } from '../viz/client.ts';
import type { LocalProcess } from '../viz/workload.ts';

const USAGE = `Check that the local mesh is healthy: viz, weft dev's processes (with their
restarts), control plane, identity, proxies, resources.

Usage:
  weft check [flags]

Each check prints √ (passed), ‼ (warning) or × (failed, with a hint). The exit
code is 1 when any check failed.

Flags:
  -o, --output FORMAT       table or json
      --api-addr ADDR       the viz API of \`weft dev\` (or WEFT_API_ADDR; default: .weft/viz.json)
`;

const command: Command = {
  summary: 'Check the health of the mesh',
  async run(args, io) {
    try {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          output: { type: 'string', short: 'o' },
          'api-addr': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
      if (values.help) {
        io.stdout.write(USAGE);
        return 0;
      }
      if (positionals.length > 0)
        throw new CliError(CliErrorCode.Usage, `unexpected arguments: ${positionals.join(' ')}`);
      const output = parseOutput(values.output);
      const { categories, processes } = await runChecks(values['api-addr'], io.env);
      io.stdout.write(
        output === 'json' ? renderJson({ ...checksJson(categories), processes }) : renderChecks(categories),
      );
      return passed(categories) ? 0 : 1;
    } catch (err) {
      return failWith(err, io);
    }
  },
};

async function runChecks(
  apiAddr: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ categories: CheckCategory[]; processes: readonly LocalProcess[] }> {
  const name = 'weft-viz';
  let inventory: Inventory;
  try {
    inventory = await VizClient.resolve(apiAddr, env).inventory();
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

export default command;
