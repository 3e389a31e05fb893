import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { CliError, CliErrorCode, failWith } from '../errors.ts';
import { VizClient } from '../viz/client.ts';

const USAGE = `Open the dashboard of the running mesh in a browser: overview, workloads,
topology, tap, traces and health, refreshed live, from the same figures as
\`weft stat\`, \`routes\`, \`edges\`, \`top\`, \`tap\`, \`trace\` and \`check\`.

Usage:
  weft dashboard [flags]

The viz server of \`weft dev\` serves it. The URL is always printed; the
browser opens with xdg-open (open on macOS) when there is one.

Flags:
      --show MODE           "url" prints the URL only and opens nothing (default: open a browser)
      --prometheus URL      the pages read this Prometheus instead of the viz recorder (or WEFT_PROMETHEUS_URL)
      --api-addr ADDR       the viz API of \`weft dev\` (or WEFT_API_ADDR; default: .weft/viz.json)
`;

/** Starts the desktop's opener and forgets it: a missing or failing opener is no failure, the URL is printed. */
function openBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // spawn throws synchronously only for bad arguments; the URL is printed either way.
  }
}

const command: Command = {
  summary: 'Open the mesh dashboard in a browser (or print its URL)',
  async run(args, io) {
    try {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          show: { type: 'string' },
          prometheus: { type: 'string' },
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
      if (values.show !== undefined && values.show !== 'url')
        throw new CliError(CliErrorCode.Usage, `--show takes "url", not "${values.show}"`);
      const viz = VizClient.resolve(values['api-addr'], io.env);
      // The page would only say the server is gone; say it here, where it can be fixed.
      await viz.inventory();
      const prometheus = values.prometheus ?? io.env.WEFT_PROMETHEUS_URL;
      const url = `${viz.base}/${prometheus ? `?prometheus=${encodeURIComponent(prometheus)}` : ''}`;
      if (values.show === 'url') {
        io.stdout.write(`${url}\n`);
        return 0;
      }
      io.stdout.write(`Weft dashboard available at:\n${url}\n`);
      openBrowser(url);
      return 0;
    } catch (err) {
      return failWith(err, io);
    }
  },
};

export default command;
