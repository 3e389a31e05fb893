import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { CliError, CliErrorCode, failWith } from '../errors.ts';
import { parseOutput } from '../output/format.ts';
import { renderJson } from '../output/table.ts';
import { checksJson, passed, renderChecks } from '../viz/check/result.ts';
import { runChecks } from '../viz/check/run-checks.ts';
import { VizClient } from '../viz/client.ts';

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
      const inventory = () => VizClient.resolve(values['api-addr'], io.env).inventory();
      const { categories, processes } = await runChecks(inventory, io.env);
      io.stdout.write(
        output === 'json' ? renderJson({ ...checksJson(categories), processes }) : renderChecks(categories),
      );
      return passed(categories) ? 0 : 1;
    } catch (err) {
      return failWith(err, io);
    }
  },
};

export default command;
