import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { CliError, CliErrorCode, failWith } from '../errors.ts';
import { stopOnInterrupt } from '../interrupt.ts';
import { formatLatency, formatSuccess, formatWindow, renderJson, renderTable } from '../output/table.ts';
import { COMMON_OPTIONS, vizContext } from '../viz/cli-context.ts';
import { parseResource } from '../viz/resource.ts';
import { runTapTop, tapCredentialsIfAny } from '../viz/tap-top.ts';
import { top } from '../viz/top.ts';
import { identitiesOf } from '../viz/workload.ts';

const USAGE = `Display the busiest traffic between meshed deployments, refreshed live.

Usage:
  weft top [flags] [deploy[/NAME]]

When the proxies have tap (a tap address in the viz inventory and the CLI's
certificate in .weft/), top taps them: every request, by source,
destination, method and path, since top started (with --once, over the
window). Otherwise it is computed from the proxies' metrics over a short
window: no methods, and Best/Worst are the latency buckets the fastest and
slowest requests fell into.

Flags:
  -n, --namespace NS        namespace (default "default", or WEFT_NAMESPACE); -A for all
  -t, --time-window W       window each refresh covers (default 10s)
      --once                print one table and exit (the default when stdout is not a terminal)
      --max-rows N          rows to show (default 20)
  -o, --output FORMAT       table or json (json implies --once)
      --api-addr ADDR       the viz API of \`weft dev\` (or WEFT_API_ADDR)
      --prometheus URL      read a Prometheus server instead of the viz recorder
`;

const REFRESH_MS = 2000;

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => {});
}

const command: Command = {
  summary: 'Live busiest traffic between deployments (from tap, or from metrics without it)',
  async run(args, io) {
    try {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          ...COMMON_OPTIONS,
          'time-window': { type: 'string', short: 't', default: '10s' },
          once: { type: 'boolean', default: false },
          'max-rows': { type: 'string', default: '20' },
        },
      });
      if (values.help) {
        io.stdout.write(USAGE);
        return 0;
      }
      const resource = positionals.length > 0 ? parseResource(positionals, ['deployment']) : undefined;
      const maxRows = Number(values['max-rows']);
      if (!Number.isInteger(maxRows) || maxRows < 1)
        throw new CliError(CliErrorCode.Usage, '--max-rows must be a positive whole number');
      const ctx = vizContext(values, io);
      const inventory = await ctx.viz?.inventory().catch(() => undefined);
      const identities = identitiesOf(inventory?.workloads ?? []);
      const once = values.once || ctx.output === 'json' || !(io.stdout as { isTTY?: boolean }).isTTY;
      const tapped = (inventory?.workloads ?? []).flatMap((w) =>
        w.tapAddr &&
        (!ctx.namespace || w.namespace === ctx.namespace) &&
        (!resource?.name || w.deployment === resource.name)
          ? [{ ...w, tapAddr: w.tapAddr }]
          : [],
      );
      const creds =
        inventory && tapped.length > 0 && !values.prometheus ? tapCredentialsIfAny(io.env, inventory.mesh) : undefined;
      if (creds) {
        return await runTapTop(io, {
          workloads: tapped,
          identities,
          creds,
          deployment: resource?.name,
          once,
          json: ctx.output === 'json',
          windowSeconds: ctx.windowSeconds,
          maxRows,
          refreshMs: REFRESH_MS,
        });
      }
      const render = async () => {
        const result = await top(ctx.source, identities, {
          namespace: ctx.namespace,
          deployment: resource?.name,
          windowSeconds: ctx.windowSeconds,
        });
        const rows = result.rows.slice(0, maxRows);
        if (ctx.output === 'json') return renderJson(rows);
        const header =
          `(computed from proxy metrics over the last ${formatWindow(result.windowSeconds)}, no tap yet: ` +
          `${result.byRoute ? 'Path is the route' : 'Path is the authority'}, Best/Worst are latency buckets)\n`;
        const table = rows.map((r) => [
          r.source,
          r.destination,
          '-',
          r.path,
          String(Math.round(r.golden.responses)),
          formatLatency(r.golden.latencyMs.best),
          formatLatency(r.golden.latencyMs.worst),
          '-',
          formatSuccess(r.golden.successRate),
        ]);
        return `${header}${renderTable(['Source', 'Destination', 'Method', 'Path', 'Count', 'Best', 'Worst', 'Last', 'Success Rate'], table)}`;
      };
      if (once) {
        io.stdout.write(await render());
        return 0;
      }
      const interrupt = stopOnInterrupt(io);
      const stopped = interrupt.controller;
      try {
        while (!stopped.signal.aborted) {
          // Clear the screen and home the cursor, as top does.
          const frame = await render();
          if (stopped.signal.aborted) break;
          io.stdout.write(`\u001b[2J\u001b[H${frame}`);
          await sleep(REFRESH_MS, stopped.signal);
        }
      } finally {
        interrupt.dispose();
      }
      return 0;
    } catch (err) {
      return failWith(err, io);
    }
  },
};

export default command;
