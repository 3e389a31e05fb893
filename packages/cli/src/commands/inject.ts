import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { InjectorConfig } from '@weft/control-plane/injector';
import { CONFIG_PREFIX, DEFAULT_INJECTOR_CONFIG, WEFT_VERSION } from '@weft/control-plane/injector';
import type { Command, CommandIo } from '../command.ts';
import { CliError, CliErrorCode, formatCliError } from '../errors.ts';
import type { InjectReport } from '../inject/inject-yaml.ts';
import { injectYaml, namespacesIn } from '../inject/inject-yaml.ts';
import { readInputs } from '../inject/read-inputs.ts';

const USAGE = `Add the Weft proxy to Kubernetes workloads.

Reads YAML from files, directories, URLs or stdin ("-") and writes it to stdout with
every pod template annotated weft.dev/inject: enabled, so the injector webhook
adds the proxy when the pods are created. With --manual the proxy and init
containers are written into the YAML itself.

Usage:
  weft inject [flags] FILE|DIR|URL|- ...

Flags:
      --manual                           add the containers instead of the annotation
      --proxy-image IMAGE                proxy image (default ${DEFAULT_INJECTOR_CONFIG.proxyImage})
      --proxy-version VERSION            proxy image tag
      --proxy-log-level LEVEL            proxy log filter, e.g. warn,weft=debug
      --proxy-cpu-request QTY            --proxy-cpu-limit QTY
      --proxy-memory-request QTY         --proxy-memory-limit QTY
      --skip-inbound-ports PORTS         ports whose inbound traffic bypasses the proxy (25,4000-5000)
      --skip-outbound-ports PORTS        ports whose outbound traffic bypasses the proxy
      --opaque-ports PORTS               ports proxied as opaque TCP
      --default-inbound-policy POLICY    all-unauthenticated, all-authenticated, cluster-*, deny, audit
      --native-sidecar BOOL              run the proxy as a native sidecar (default true)
      --identity-trust-anchors-file PEM  trust anchors for --manual
      --namespace-annotation KEY=VALUE   an annotation of the workloads' namespace (repeatable);
                                         Namespace objects in the input count too
  -L, --weft-namespace NS                control plane namespace (default weft-system)
      --trust-domain DOMAIN              identity trust domain (default cluster.local)
      --cluster-domain DOMAIN            cluster DNS domain (default cluster.local)
`;

/** Flags that become `config.weft.dev/<flag>` annotations, as linkerd inject's do. */
const ANNOTATION_FLAGS = {
  'proxy-image': 'proxy-image',
  'proxy-version': 'proxy-version',
  'proxy-log-level': 'proxy-log-level',
  'proxy-cpu-request': 'proxy-cpu-request',
  'proxy-cpu-limit': 'proxy-cpu-limit',
  'proxy-memory-request': 'proxy-memory-request',
  'proxy-memory-limit': 'proxy-memory-limit',
  'skip-inbound-ports': 'skip-inbound-ports',
  'skip-outbound-ports': 'skip-outbound-ports',
  'opaque-ports': 'opaque-ports',
  'default-inbound-policy': 'default-inbound-policy',
  'native-sidecar': 'proxy-enable-native-sidecar',
} as const;

function summaryLine(r: InjectReport): string {
  const what = `${r.kind.toLowerCase()} "${r.name}"`;
  if (r.outcome !== 'skipped' || !r.reason) return `${what} ${r.outcome}`;
  return `${what} skipped: ${r.reason}`;
}

async function run(args: string[], io: CommandIo, stdin: AsyncIterable<Buffer | string>): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    io.stderr.write(`Error: ${(err as Error).message} (${CliErrorCode.Usage})\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length === 0) {
    io.stderr.write(`Error: no input; give a file, a directory or - for stdin (${CliErrorCode.Usage})\n\n${USAGE}`);
    return 2;
  }
  try {
    const podAnnotations: Record<string, string> = {};
    for (const [flag, annotation] of Object.entries(ANNOTATION_FLAGS)) {
      const v = values[flag as keyof typeof ANNOTATION_FLAGS];
      if (typeof v === 'string') podAnnotations[CONFIG_PREFIX + annotation] = v;
    }
    const config: InjectorConfig = {
      ...DEFAULT_INJECTOR_CONFIG,
      controlPlaneNamespace: values['weft-namespace'] ?? DEFAULT_INJECTOR_CONFIG.controlPlaneNamespace,
      trustDomain: values['trust-domain'] ?? DEFAULT_INJECTOR_CONFIG.trustDomain,
      clusterDomain: values['cluster-domain'] ?? DEFAULT_INJECTOR_CONFIG.clusterDomain,
      trustAnchorsPem: readAnchors(values['identity-trust-anchors-file']),
      createdBy: `weft/cli ${WEFT_VERSION}`,
    };
    const sources = await readInputs(positionals, stdin);
    const fromFlags = parseNamespaceAnnotations(values['namespace-annotation'] ?? []);
    const namespaces = new Map(sources.flatMap((s) => [...namespacesIn(s.text)]));
    const namespaceAnnotations = (ns: string | undefined) => ({ ...(ns ? namespaces.get(ns) : {}), ...fromFlags });
    const outputs: string[] = [];
    const reports: InjectReport[] = [];
    for (const s of sources) {
      const r = injectYaml(s.text, s.name, {
        manual: values.manual ?? false,
        config,
        podAnnotations,
        namespaceAnnotations,
      });
      if (r.yaml.trim()) outputs.push(r.yaml);
      reports.push(...r.reports);
    }
    io.stdout.write(outputs.join('---\n'));
    if (values.manual && !config.trustAnchorsPem && reports.some((r) => r.outcome === 'injected')) {
      // The proxy refuses to start without anchors; say so before the pods do.
      io.stderr.write(
        '\nwarning: no --identity-trust-anchors-file given; the injected proxies have no trust anchors\n',
      );
    }
    io.stderr.write(`\n${reports.map(summaryLine).join('\n')}\n\n`);
    return 0;
  } catch (err) {
    io.stderr.write(formatCliError(err));
    return 1;
  }
}

function parseNamespaceAnnotations(items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new CliError(CliErrorCode.Usage, `--namespace-annotation ${item}: expected KEY=VALUE`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function readAnchors(path: string | undefined): string {
  if (!path) return DEFAULT_INJECTOR_CONFIG.trustAnchorsPem;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(CliErrorCode.ReadInput, `cannot read trust anchors ${path}: ${(err as Error).message}`);
  }
}

function parse(args: string[]) {
  const str = { type: 'string' } as const;
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      manual: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      'proxy-image': str,
      'proxy-version': str,
      'proxy-log-level': str,
      'proxy-cpu-request': str,
      'proxy-cpu-limit': str,
      'proxy-memory-request': str,
      'proxy-memory-limit': str,
      'skip-inbound-ports': str,
      'skip-outbound-ports': str,
      'opaque-ports': str,
      'default-inbound-policy': str,
      'native-sidecar': str,
      'identity-trust-anchors-file': str,
      'namespace-annotation': { type: 'string', multiple: true },
      'weft-namespace': { type: 'string', short: 'L' },
      'trust-domain': str,
      'cluster-domain': str,
    },
  });
}

const command: Command = {
  summary: 'Add the Weft proxy to Kubernetes workload YAML',
  run: (args, io) => run(args, io, process.stdin),
};
export default command;
