import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command, CommandIo } from '../command.ts';
import { CliError, CliErrorCode, formatCliError } from '../errors.ts';
import { routesFromOpenApi } from '../profile/openapi.ts';
import { routesFromProto } from '../profile/proto.ts';
import { profileName, profileYaml, serviceProfile } from '../profile/service-profile.ts';
import { profileTemplate } from '../profile/template.ts';

const USAGE = `Output a ServiceProfile for a Service.

Routes come from an OpenAPI/Swagger spec (one per path and method; x-weft-retryable
and x-weft-timeout set retries and timeouts), from a .proto file (one per RPC;
retryable when idempotency_level is IDEMPOTENT or NO_SIDE_EFFECTS), or from a
commented template to fill in.

Usage:
  weft profile (--template | --open-api FILE | --proto FILE) SERVICE [flags]

Flags:
      --template          output a commented template
      --open-api FILE     OpenAPI/Swagger spec, JSON or YAML ("-" for stdin)
      --proto FILE        protobuf file with the service's RPCs ("-" for stdin)
  -n, --namespace NS      namespace of the Service (default "default")
      --cluster-domain D  cluster DNS domain (default "cluster.local")
`;

async function readSource(path: string): Promise<string> {
  try {
    if (path !== '-') return readFileSync(path, 'utf8');
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    throw new CliError(CliErrorCode.ReadInput, `cannot read ${path}: ${(err as Error).message}`);
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      template: { type: 'boolean' },
      'open-api': { type: 'string' },
      proto: { type: 'string' },
      namespace: { type: 'string', short: 'n', default: 'default' },
      'cluster-domain': { type: 'string', default: 'cluster.local' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function run(args: string[], io: CommandIo): Promise<number> {
  try {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(args);
    } catch (err) {
      throw new CliError(CliErrorCode.Usage, (err as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    const sources = [values.template, values['open-api'], values.proto].filter((v) => v !== undefined);
    if (sources.length !== 1)
      throw new CliError(CliErrorCode.Usage, 'give exactly one of --template, --open-api or --proto');
    if (positionals.length !== 1) throw new CliError(CliErrorCode.Usage, 'give exactly one SERVICE name');
    const service = positionals[0] as string;
    const { namespace, 'cluster-domain': domain } = values;
    if (values.template) {
      io.stdout.write(profileTemplate(profileName(service, namespace, domain), namespace));
      return 0;
    }
    const openApi = values['open-api'];
    const routes = openApi
      ? routesFromOpenApi(await readSource(openApi), openApi)
      : routesFromProto(await readSource(values.proto as string), values.proto as string);
    io.stdout.write(profileYaml(serviceProfile(service, namespace, domain, routes)));
    return 0;
  } catch (err) {
    io.stderr.write(formatCliError(err));
    if (err instanceof CliError && err.code === CliErrorCode.Usage) {
      io.stderr.write(`\n${USAGE}`);
      return 2;
    }
    return 1;
  }
}

const command: Command = { summary: 'Output a ServiceProfile from OpenAPI, protobuf or a template', run };
export default command;
