import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { failWith } from '../errors.ts';
import { VERSION } from '../version.ts';
import { VizClient } from '../viz/client.ts';

const USAGE = `Print the client and server versions.

Usage:
  weft version [flags]

The server is the \`weft dev\` the viz API belongs to; "unavailable" when none runs.

Flags:
      --client              print the client's version only
      --short               print the version numbers only
      --api-addr ADDR       the viz API of \`weft dev\` (or WEFT_API_ADDR; default: .weft/viz.json)
`;

const command: Command = {
  summary: 'Print the client and server version information',
  async run(args, io) {
    try {
      const { values } = parseArgs({
        args,
        options: {
          client: { type: 'boolean', default: false },
          short: { type: 'boolean', default: false },
          'api-addr': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
      if (values.help) {
        io.stdout.write(USAGE);
        return 0;
      }
      const line = (who: string, version: string) =>
        io.stdout.write(values.short ? `${version}\n` : `${who} version: ${version}\n`);
      line('Client', VERSION);
      if (values.client) return 0;
      line('Server', await serverVersion(values['api-addr'], io.env));
      return 0;
    } catch (err) {
      return failWith(err, io);
    }
  },
};

/** The running `weft dev`'s version; none running (or none found from here) is not an error. */
async function serverVersion(flag: string | undefined, env: Readonly<Record<string, string | undefined>>) {
  try {
    return (await VizClient.resolve(flag, env).inventory()).version ?? 'unavailable';
  } catch {
    return 'unavailable';
  }
}

export default command;
