import type { CommandIo } from '../command.ts';
import { PrometheusSource } from '../metrics/prometheus-source.ts';
import { RecorderSource, recorderOverApi } from '../metrics/recorder-source.ts';
import type { MetricsSource } from '../metrics/source.ts';
import { type OutputFormat, parseOutput, parseWindow } from '../output/format.ts';
import { VizClient } from './client.ts';

// The flags every viz command shares, as Linkerd's viz spells them.

export const COMMON_OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A', default: false },
  'time-window': { type: 'string', short: 't', default: '1m' },
  output: { type: 'string', short: 'o' },
  'api-addr': { type: 'string' },
  prometheus: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export const COMMON_HELP = `Flags:
  -n, --namespace NS        namespace of the resources (default "default", or WEFT_NAMESPACE)
  -A, --all-namespaces      every namespace
  -t, --time-window W       window of the figures, e.g. 10s, 1m (default 1m; at most the recorded history)
  -o, --output FORMAT       table, wide or json
      --api-addr ADDR       the viz API of \`weft dev\` (or WEFT_API_ADDR; default: .weft/viz.json)
      --prometheus URL      read a Prometheus server instead of the viz recorder (or WEFT_PROMETHEUS_URL)
`;

export interface CommonValues {
  namespace?: string;
  'all-namespaces'?: boolean;
  'time-window'?: string;
  output?: string;
  'api-addr'?: string;
  prometheus?: string;
}

export interface VizContext {
  /** undefined with --all-namespaces. */
  readonly namespace: string | undefined;
  readonly windowSeconds: number;
  readonly output: OutputFormat;
  readonly source: MetricsSource;
  /** The viz API; undefined when only Prometheus was given and no viz API is known. */
  readonly viz: VizClient | undefined;
}

export function vizContext(values: CommonValues, io: CommandIo): VizContext {
  const output = parseOutput(values.output);
  const windowSeconds = parseWindow(values['time-window'] ?? '1m');
  const namespace = values['all-namespaces'] ? undefined : (values.namespace ?? io.env.WEFT_NAMESPACE ?? 'default');
  const promUrl = values.prometheus ?? io.env.WEFT_PROMETHEUS_URL;
  if (promUrl) {
    let viz: VizClient | undefined;
    try {
      viz = VizClient.resolve(values['api-addr'], io.env);
    } catch {
      viz = undefined;
    }
    return { namespace, windowSeconds, output, source: new PrometheusSource(promUrl), viz };
  }
  const viz = VizClient.resolve(values['api-addr'], io.env);
  return { namespace, windowSeconds, output, source: new RecorderSource(recorderOverApi(viz)), viz };
}
