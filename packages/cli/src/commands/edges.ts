import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { CliError, CliErrorCode, failWith } from '../errors.ts';
import { edgesJson } from '../output/json-rows.ts';
import { renderJson, renderTable } from '../output/table.ts';
import { COMMON_HELP, COMMON_OPTIONS, vizContext } from '../viz/cli-context.ts';
import { edges, workloadIndex } from '../viz/edges.ts';
import { checkNamespace } from '../viz/namespaces.ts';
import { parseResource } from '../viz/resource.ts';
import { identitiesOf } from '../viz/workload.ts';

const USAGE = `Display the connections between meshed deployments and whether they are mTLS.

Usage:
  weft edges [flags] deploy

SECURED is √ when every request and connection of the edge seen in the window
was mTLS; -o wide adds the identities each side presented.

Examples:
  weft edges -n emojivoto deploy
  weft edges -A deploy -o wide

${COMMON_HELP}`;

const command: Command = {
  summary: 'Connections between meshed deployments, with their mTLS identities',
  async run(args, io) {
    try {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: COMMON_OPTIONS });
      if (values.help) {
        io.stdout.write(USAGE);
        return 0;
      }
      const resource = parseResource(positionals, ['deployment']);
      if (resource.name) throw new CliError(CliErrorCode.Usage, 'edges takes a resource type, not a name');
      const ctx = vizContext(values, io);
      const [pods, inventory] = await Promise.all([ctx.source.pods(), ctx.viz?.inventory().catch(() => undefined)]);
      const identities = identitiesOf(inventory?.workloads ?? []);
      const rows = await edges(ctx.source, workloadIndex(pods, identities), ctx);
      if (rows.length === 0) await checkNamespace(ctx.source, ctx.namespace);
      if (ctx.output === 'json') {
        io.stdout.write(renderJson(edgesJson(rows)));
        return 0;
      }
      if (rows.length === 0) {
        io.stdout.write('No edges found.\n');
        return 0;
      }
      const wide = ctx.output === 'wide';
      const headers = ['SRC', 'DST', 'SRC_NS', 'DST_NS', 'SECURED', ...(wide ? ['CLIENT_ID', 'SERVER_ID'] : [])];
      const table = rows.map((e) => [
        e.src,
        e.dst,
        e.srcNamespace,
        e.dstNamespace,
        e.secured ? '√' : `× ${e.reason ?? ''}`.trimEnd(),
        ...(wide ? [e.clientId || '-', e.serverId || '-'] : []),
      ]);
      io.stdout.write(renderTable(headers, table));
      return 0;
    } catch (err) {
      return failWith(err, io);
    }
  },
};

export default command;
