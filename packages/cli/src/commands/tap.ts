import { parseArgs } from 'node:util';
import type { TapEvent } from '@weft/api/tap';
import type { Command } from '../command.ts';
import { CliError, CliErrorCode, failWith } from '../errors.ts';
import { stopOnInterrupt } from '../interrupt.ts';
import { VizClient } from '../viz/client.ts';
import { parseResource } from '../viz/resource.ts';
import { formatTapEvent, tapCredentials, tapTargets, watchTap } from '../viz/tap-client.ts';

const USAGE = `Listen to a live stream of requests through the proxies of a deployment or pod.

Usage:
  weft tap [flags] deploy/NAME | po/NAME

Each request shows as three lines, as in Linkerd:
  req id=... proxy=in|out src=IP:PORT dst=IP:PORT tls=true :method=GET :authority=... :path=...
  rsp id=... ... :status=200 latency=1234µs
  end id=... ... grpc-status=Unknown duration=56µs response-length=0B

Flags:
  -n, --namespace NS        namespace (default "default", or WEFT_NAMESPACE)
      --path PREFIX         only requests whose path starts with PREFIX
      --method M            only requests with this HTTP method
      --authority A         only requests with this authority
      --max-rps N           requests per second each proxy reports at most (default 100)
      --max-events N        stop after N events (default: until Ctrl-C)
  -o, --output FORMAT       text (default) or json (one event per line)
      --api-addr ADDR       the viz API of \`weft dev\` (or WEFT_API_ADDR)

The CLI connects to each proxy's tap port over mTLS with its own certificate
(.weft/cli.crt and .weft/cli.key, or WEFT_TAP_CERT_FILE / WEFT_TAP_KEY_FILE);
a proxy only answers the identity in its WEFT_PROXY_TAP_AUTHORIZED_IDENTITY.
`;

const command: Command = {
  summary: 'Live stream of requests through the proxies of a workload',
  async run(args, io) {
    try {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          namespace: { type: 'string', short: 'n' },
          path: { type: 'string' },
          method: { type: 'string' },
          authority: { type: 'string' },
          'max-rps': { type: 'string', default: '100' },
          'max-events': { type: 'string' },
          output: { type: 'string', short: 'o', default: 'text' },
          'api-addr': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
      if (values.help) {
        io.stdout.write(USAGE);
        return 0;
      }
      const resource = parseResource(positionals, ['deployment', 'pod']);
      if (!resource.name) throw new CliError(CliErrorCode.Usage, 'name the workload to tap, e.g. deploy/web');
      if (values.output !== 'text' && values.output !== 'json')
        throw new CliError(CliErrorCode.Usage, '--output must be text or json');
      const maxRps = Number(values['max-rps']);
      if (!(maxRps > 0)) throw new CliError(CliErrorCode.Usage, '--max-rps must be a positive number');
      const maxEvents = values['max-events'] === undefined ? Number.POSITIVE_INFINITY : Number(values['max-events']);
      if (!(maxEvents > 0)) throw new CliError(CliErrorCode.Usage, '--max-events must be a positive number');
      const namespace = values.namespace ?? io.env.WEFT_NAMESPACE ?? 'default';
      const inventory = await VizClient.resolve(values['api-addr'], io.env).inventory();
      const tappable = tapTargets(inventory, resource, namespace);
      const creds = tapCredentials(io.env, inventory.mesh);
      const interrupt = stopOnInterrupt(io);
      const stopped = interrupt.controller;
      let seen = 0;
      const onEvent = (e: TapEvent) => {
        if (stopped.signal.aborted) return;
        io.stdout.write(values.output === 'json' ? `${JSON.stringify(e)}\n` : `${formatTapEvent(e)}\n`);
        if (++seen >= maxEvents) stopped.abort();
      };
      try {
        const match = { pathPrefix: values.path, method: values.method, authority: values.authority };
        await Promise.all(
          tappable.map((w) => watchTap(w, creds, { match, maxRps, signal: stopped.signal, onEvent })),
        ).catch((err) => {
          stopped.abort();
          throw err;
        });
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
