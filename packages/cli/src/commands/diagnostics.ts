import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import type { Command, CommandIo } from '../command.ts';
import { CliError, CliErrorCode, failWith } from '../errors.ts';
import { renderJson, renderTable } from '../output/table.ts';
import { VizClient } from '../viz/client.ts';
import { type ControlPlaneChannel, controlPlaneChannel } from '../viz/control-plane-channel.ts';
import { getEndpoints, getInboundPolicy } from '../viz/diagnostics.ts';
import { parseResource } from '../viz/resource.ts';
import type { MeshInfo } from '../viz/workload.ts';

const USAGE = `Diagnose the mesh: what the proxies expose and what the control plane tells them.

Usage:
  weft diagnostics proxy-metrics [flags] (deploy|po)/NAME
  weft diagnostics endpoints [flags] AUTHORITY...
  weft diagnostics policy [flags] po/NAME PORT

proxy-metrics  prints each pod's proxy /metrics, as its admin server serves it now
endpoints      asks Destination.Get for AUTHORITY (name:port) like a proxy does:
               NAMESPACE IP PORT POD SERVICE
policy         asks InboundServerPolicies.GetPort for the pod's PORT, printed as YAML

Flags:
  -n, --namespace NS        namespace of the resource (default "default", or WEFT_NAMESPACE)
  -o, --output FORMAT       table or json (policy: yaml or json)
      --destination-addr A  the control plane's gRPC address (default: from \`weft dev\`)
      --scheme S            destination scheme (default "local"; "k8s" on Kubernetes)
      --api-addr ADDR       the viz API of \`weft dev\` (or WEFT_API_ADDR; default: .weft/viz.json)
`;

type Values = {
  namespace?: string;
  output?: string;
  'destination-addr'?: string;
  scheme?: string;
  'api-addr'?: string;
};

const command: Command = {
  summary: 'Proxy metrics, endpoints and policy as the control plane serves them',
  async run(args, io) {
    try {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          namespace: { type: 'string', short: 'n' },
          output: { type: 'string', short: 'o' },
          'destination-addr': { type: 'string' },
          scheme: { type: 'string', default: 'local' },
          'api-addr': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
      const [sub, ...rest] = positionals;
      if (values.help || !sub) {
        io.stdout.write(USAGE);
        return values.help ? 0 : 2;
      }
      if (sub === 'proxy-metrics') return await proxyMetrics(rest, values, io);
      if (sub === 'endpoints') return await endpoints(rest, values, io);
      if (sub === 'policy') return await policy(rest, values, io);
      throw new CliError(
        CliErrorCode.Usage,
        `unknown diagnostics command "${sub}"; use proxy-metrics, endpoints or policy`,
      );
    } catch (err) {
      return failWith(err, io);
    }
  },
};

const namespaceOf = (values: Values, io: CommandIo) => values.namespace ?? io.env.WEFT_NAMESPACE ?? 'default';

async function proxyMetrics(args: string[], values: Values, io: CommandIo): Promise<number> {
  const resource = parseResource(args, ['deployment', 'pod']);
  if (!resource.name) throw new CliError(CliErrorCode.Usage, 'proxy-metrics needs a resource, e.g. deploy/web');
  const viz = VizClient.resolve(values['api-addr'], io.env);
  const ns = namespaceOf(values, io);
  const pods = (await viz.inventory()).workloads.filter(
    (w) => w.namespace === ns && (resource.kind === 'pod' ? w.pod : w.deployment) === resource.name,
  );
  if (pods.length === 0) {
    throw new CliError(CliErrorCode.NotFound, `no meshed pod of ${resource.kind} ${ns}/${resource.name}`);
  }
  for (const [i, w] of pods.entries()) {
    let text: string;
    try {
      const res = await fetch(`http://${w.adminAddr}/metrics`, { signal: AbortSignal.timeout(5000) });
      text = await res.text();
      if (res.status !== 200) throw new Error(`answered ${res.status}`);
    } catch (err) {
      // The proxy is unreachable now: show what the recorder saw last, and say so.
      io.stderr.write(`${w.pod}: ${w.adminAddr}/metrics: ${(err as Error).message}; showing the last scrape\n`);
      text = await viz.text(`/api/v1/metrics/${encodeURIComponent(w.namespace)}/${encodeURIComponent(w.pod)}`);
    }
    io.stdout.write(`#\n# POD ${w.pod} (${i + 1} of ${pods.length})\n#\n${text}`);
  }
  return 0;
}

/** Where the control plane answers, and how to reach it over mTLS (trust anchors from the viz inventory). */
async function controlPlane(values: Values, io: CommandIo): Promise<{ addr: string; channel: ControlPlaneChannel }> {
  const given = values['destination-addr'];
  // With an explicit address the inventory only adds the trust anchors, which WEFT_TAP_CA_FILE can give instead.
  const inventory = VizClient.resolve(values['api-addr'], io.env).inventory();
  const mesh = given ? await inventory.then((i) => i.mesh).catch((): MeshInfo => ({})) : (await inventory).mesh;
  const addr = given ?? mesh.destinationAddr;
  if (!addr) {
    throw new CliError(CliErrorCode.Usage, 'the control plane address is unknown: pass --destination-addr');
  }
  return { addr, channel: controlPlaneChannel(io.env, mesh) };
}

async function endpoints(args: string[], values: Values, io: CommandIo): Promise<number> {
  if (args.length === 0)
    throw new CliError(CliErrorCode.Usage, 'endpoints needs an authority, e.g. web-svc.emojivoto.svc.cluster.local:80');
  for (const a of args) {
    if (!/^[^\s:]+:\d{1,5}$/.test(a)) throw new CliError(CliErrorCode.Usage, `"${a}" is not an authority name:port`);
  }
  const { addr, channel } = await controlPlane(values, io);
  const ns = namespaceOf(values, io);
  const contextToken = JSON.stringify({ ns, pod: '' });
  const rows = (
    await Promise.all(
      args.map((a) => getEndpoints(addr, channel, a, { scheme: values.scheme ?? 'local', contextToken })),
    )
  ).flat();
  if (values.output === 'json') {
    io.stdout.write(renderJson(rows));
    return 0;
  }
  if (rows.length === 0) {
    io.stdout.write('No endpoints found.\n');
    return 0;
  }
  const table = rows.map((r) => [r.namespace, r.ip, r.port, r.pod, r.service]);
  io.stdout.write(renderTable(['NAMESPACE', 'IP', 'PORT', 'POD', 'SERVICE'], table));
  return 0;
}

async function policy(args: string[], values: Values, io: CommandIo): Promise<number> {
  const [target, portText, ...extra] = args;
  const resource = parseResource(target ? [target] : [], ['pod']);
  const port = Number(portText);
  if (!resource.name || !Number.isInteger(port) || port < 1 || port > 65535 || extra.length > 0) {
    throw new CliError(CliErrorCode.Usage, 'policy needs a pod and a port, e.g. po/web-0 8080');
  }
  const { addr, channel } = await controlPlane(values, io);
  const server = await getInboundPolicy(addr, channel, namespaceOf(values, io), resource.name, port);
  io.stdout.write(values.output === 'json' ? renderJson(server) : stringify(server));
  return 0;
}

export default command;
