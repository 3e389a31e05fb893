import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { CliError, CliErrorCode, failWith } from '../errors.ts';
import { GOLDEN_HEADERS, goldenCells } from '../output/golden-columns.ts';
import { routesJson } from '../output/json-rows.ts';
import { renderJson, renderTable } from '../output/table.ts';
import { COMMON_HELP, COMMON_OPTIONS, vizContext } from '../viz/cli-context.ts';
import { checkNamespace } from '../viz/namespaces.ts';
import { parseResource } from '../viz/resource.ts';
import { routes } from '../viz/routes.ts';

const USAGE = `Display golden metrics per route a deployment served.

Usage:
  weft routes [flags] deploy/NAME [--to svc/NAME]

Routes come from the deployment's ServiceProfile or HTTPRoutes, as the proxies
label them (rt_route); requests no route matched show as [DEFAULT].

With --to, the routes the deployment called on one service; -o wide then
shows what the caller saw (EFFECTIVE) next to what was sent, retries included
(ACTUAL).

Examples:
  weft routes -n emojivoto deploy/web
  weft routes -n emojivoto deploy/web -o json
  weft routes -n booksapp deploy/books --to svc/authors -o wide

      --to svc/NAME         outbound routes to this service

${COMMON_HELP}`;

const command: Command = {
  summary: 'Golden metrics per route of a deployment',
  async run(args, io) {
    try {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { ...COMMON_OPTIONS, to: { type: 'string' } },
      });
      if (values.help) {
        io.stdout.write(USAGE);
        return 0;
      }
      const resource = parseResource(positionals, ['deployment']);
      if (!resource.name) throw new CliError(CliErrorCode.Usage, 'routes needs one deployment, e.g. deploy/web');
      if (values['all-namespaces']) throw new CliError(CliErrorCode.Usage, 'routes takes one namespace, not -A');
      const to = values.to ? parseResource([values.to], ['service']) : undefined;
      if (to && !to.name) throw new CliError(CliErrorCode.Usage, '--to needs a named service, e.g. svc/authors');
      const ctx = vizContext(values, io);
      const namespace = ctx.namespace ?? 'default';
      const pods = (await ctx.source.pods()).filter((p) => p.namespace === namespace && p.deployment === resource.name);
      const services = [...new Set(pods.flatMap((p) => p.services))].sort();
      const result = await routes(ctx.source, {
        namespace,
        deployment: resource.name,
        windowSeconds: ctx.windowSeconds,
        services,
        toService: to?.name,
      });
      if (result.rows.length === 0) await checkNamespace(ctx.source, namespace);
      if (ctx.output === 'json') {
        io.stdout.write(renderJson(routesJson(result.rows, result.windowSeconds, to !== undefined)));
        return 0;
      }
      if (result.rows.length === 0) {
        io.stdout.write(`No traffic found for deploy/${resource.name} in namespace ${namespace}.\n`);
        return 0;
      }
      if (ctx.output === 'wide' && to) {
        // Linkerd's wide routes: effective (as the caller saw it) and actual (every attempt) side by side.
        const table = result.rows.map((r) => {
          const [success = '', rps = '', ...latency] = goldenCells(r.golden);
          const [actualSuccess = '', actualRps = ''] = goldenCells(r.actual);
          return [r.route, r.service, success, rps, actualSuccess, actualRps, ...latency];
        });
        const headers = ['ROUTE', 'SERVICE', 'EFFECTIVE_SUCCESS', 'EFFECTIVE_RPS', 'ACTUAL_SUCCESS', 'ACTUAL_RPS'];
        io.stdout.write(renderTable([...headers, ...GOLDEN_HEADERS.slice(2)], table));
        return 0;
      }
      const table = result.rows.map((r) => [r.route, r.service, ...goldenCells(r.golden)]);
      io.stdout.write(renderTable(['ROUTE', 'SERVICE', ...GOLDEN_HEADERS], table));
      return 0;
    } catch (err) {
      return failWith(err, io);
    }
  },
};

export default command;
