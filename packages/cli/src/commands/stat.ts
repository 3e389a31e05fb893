import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { CliError, CliErrorCode, failWith } from '../errors.ts';
import { renderStat } from '../output/stat-table.ts';
import { COMMON_HELP, COMMON_OPTIONS, vizContext } from '../viz/cli-context.ts';
import { checkNamespace } from '../viz/namespaces.ts';
import { parseResource } from '../viz/resource.ts';
import { stat } from '../viz/stat.ts';

const USAGE = `Display golden metrics (success rate, requests per second, latency) of meshed resources.

Usage:
  weft stat [flags] (deploy|po|svc|rt)[/NAME]

Figures are what each resource served (inbound), from the viz recorder of
\`weft dev\` or from Prometheus; --from shows what one resource sent instead.

Examples:
  weft stat -n emojivoto deploy
  weft stat -n emojivoto deploy/web -t 30s -o json
  weft stat -n emojivoto deploy --from deploy/web
  weft stat -A svc --prometheus http://127.0.0.1:9090

  --from RESOURCE           outbound view from this deployment or pod (e.g. deploy/web)
${COMMON_HELP}`;

const command: Command = {
  summary: 'Golden metrics per deployment, pod, service or route',
  async run(args, io) {
    try {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { ...COMMON_OPTIONS, from: { type: 'string' } },
      });
      if (values.help) {
        io.stdout.write(USAGE);
        return 0;
      }
      const kinds = ['deployment', 'pod', 'service', 'route'] as const;
      // Several named resources, as Linkerd takes them: `stat deploy/web deploy/web-v2`.
      const resources =
        positionals.length > 1 && positionals.every((p) => p.includes('/'))
          ? positionals.map((p) => parseResource([p], kinds))
          : [parseResource(positionals, kinds)];
      const from = values.from ? parseResource([values.from], ['deployment', 'pod']) : undefined;
      if (from && !from.name) throw new CliError(CliErrorCode.Usage, '--from needs a named resource, e.g. deploy/web');
      const ctx = vizContext(values, io);
      const results = await Promise.all(
        resources.map((resource) =>
          stat(ctx.source, { resource, namespace: ctx.namespace, windowSeconds: ctx.windowSeconds, from }),
        ),
      );
      const rows = results.flatMap((r) => r.rows);
      const windowSeconds = results[0]?.windowSeconds ?? ctx.windowSeconds;
      if (rows.length === 0) await checkNamespace(ctx.source, ctx.namespace);
      io.stdout.write(
        renderStat(rows, { output: ctx.output, allNamespaces: ctx.namespace === undefined, windowSeconds }),
      );
      return 0;
    } catch (err) {
      return failWith(err, io);
    }
  },
};

export default command;
