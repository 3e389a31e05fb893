import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { CliError, CliErrorCode, formatCliError } from '../errors.ts';
import { GOLDEN_HEADERS, goldenCells, goldenJson } from '../output/golden-columns.ts';
import { formatWindow, renderJson, renderTable } from '../output/table.ts';
import { COMMON_HELP, COMMON_OPTIONS, vizContext } from '../viz/cli-context.ts';
import { parseResource } from '../viz/resource.ts';
import { routes } from '../viz/routes.ts';

const USAGE = `Display golden metrics per route a deployment served.

Usage:
  weft routes [flags] deploy/NAME

Routes come from the deployment's ServiceProfile or HTTPRoutes, as the proxies
label them (rt_route); requests no route matched show as [DEFAULT].

Examples:
  weft routes -n emojivoto deploy/web
  weft routes -n emojivoto deploy/web -o json

${COMMON_HELP}`;

const command: Command = {
  summary: 'Golden metrics per route of a deployment',
  async run(args, io) {
    try {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: COMMON_OPTIONS });
      if (values.help) {
        io.stdout.write(USAGE);
        return 0;
      }
      const resource = parseResource(positionals, ['deployment']);
      if (!resource.name) throw new CliError(CliErrorCode.Usage, 'routes needs one deployment, e.g. deploy/web');
      if (values['all-namespaces']) throw new CliError(CliErrorCode.Usage, 'routes takes one namespace, not -A');
      const ctx = vizContext(values, io);
      const namespace = ctx.namespace ?? 'default';
      const pods = (await ctx.source.pods()).filter((p) => p.namespace === namespace && p.deployment === resource.name);
      const services = [...new Set(pods.flatMap((p) => p.services))].sort();
      const result = await routes(ctx.source, {
        namespace,
        deployment: resource.name,
        windowSeconds: ctx.windowSeconds,
        services,
      });
      if (ctx.output === 'json') {
        const rows = result.rows.map((r) => ({
          route: r.route,
          authority: r.service,
          ...goldenJson(r.golden),
          time_window: formatWindow(result.windowSeconds),
        }));
        io.stdout.write(renderJson(rows));
        return 0;
      }
      if (result.rows.length === 0) {
        io.stdout.write(`No traffic found for deploy/${resource.name} in namespace ${namespace}.\n`);
        return 0;
      }
      const table = result.rows.map((r) => [r.route, r.service, ...goldenCells(r.golden)]);
      io.stdout.write(renderTable(['ROUTE', 'SERVICE', ...GOLDEN_HEADERS], table));
      return 0;
    } catch (err) {
      io.stderr.write(formatCliError(err));
      return err instanceof CliError && err.code === CliErrorCode.Usage ? 2 : 1;
    }
  },
};

export default command;
