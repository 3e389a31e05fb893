import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { CliError, CliErrorCode, failWith } from '../errors.ts';
import { parseOutput } from '../output/format.ts';
import { formatMicros, renderJson, renderTable } from '../output/table.ts';
import { renderWaterfall } from '../output/waterfall.ts';
import { VizClient } from '../viz/client.ts';
import type { SpanRecord } from '../viz/otlp/span.ts';
import type { TraceSummary } from '../viz/otlp/trace-store.ts';

const USAGE = `List recent traces, or draw one as a waterfall.

Usage:
  weft trace [flags]            recent traces, newest first
  weft trace [flags] TRACE_ID   one trace: each span's service, name, offset and duration

Traces are the spans the services export over OTLP to \`weft dev\`'s receiver
(OTEL_EXPORTER_OTLP_ENDPOINT).

Flags:
      --limit N             how many traces to list (default 20)
      --service NAME        only traces with a span of this service
  -o, --output FORMAT       table or json
      --api-addr ADDR       the viz API of \`weft dev\` (or WEFT_API_ADDR; default: .weft/viz.json)
`;

const command: Command = {
  summary: 'Recent distributed traces, and one trace as a waterfall',
  async run(args, io) {
    try {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          limit: { type: 'string', default: '20' },
          service: { type: 'string' },
          output: { type: 'string', short: 'o' },
          'api-addr': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
      if (values.help) {
        io.stdout.write(USAGE);
        return 0;
      }
      const output = parseOutput(values.output);
      const viz = VizClient.resolve(values['api-addr'], io.env);
      const [id, ...extra] = positionals;
      if (extra.length > 0) throw new CliError(CliErrorCode.Usage, 'trace takes at most one trace id');
      if (id !== undefined) {
        if (!/^[0-9a-fA-F]{32}$/.test(id))
          throw new CliError(CliErrorCode.Usage, `"${id}" is not a 32-hex-digit trace id`);
        const { spans } = await viz.get<{ spans: SpanRecord[] }>(`/api/v1/traces/${id.toLowerCase()}`);
        io.stdout.write(output === 'json' ? renderJson(spans) : renderWaterfall(spans));
        return 0;
      }
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new CliError(CliErrorCode.Usage, '--limit must be a whole number from 1 to 1000');
      }
      const query = `limit=${limit}${values.service ? `&service=${encodeURIComponent(values.service)}` : ''}`;
      const { traces } = await viz.get<{ traces: TraceSummary[] }>(`/api/v1/traces?${query}`);
      if (output === 'json') {
        io.stdout.write(renderJson(traces));
        return 0;
      }
      if (traces.length === 0) {
        io.stdout.write('No traces found.\n');
        return 0;
      }
      const rows = traces.map((t) => [
        t.traceId,
        t.rootService,
        t.rootSpan,
        new Date(t.startUs / 1000).toISOString().slice(11, 23),
        formatMicros(t.durationUs),
        t.spans,
        t.errors,
      ]);
      io.stdout.write(
        renderTable(['TRACE_ID', 'ROOT_SERVICE', 'ROOT_SPAN', 'START', 'DURATION', 'SPANS', 'ERRORS'], rows),
      );
      return 0;
    } catch (err) {
      return failWith(err, io);
    }
  },
};

export default command;
