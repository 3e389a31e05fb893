import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type CaCertificate,
  createIssuer,
  createTrustAnchor,
  DEFAULT_CONTROL_PLANE_NAMESPACE,
  DEFAULT_TRUST_DOMAIN,
  type IdentityDomain,
} from '@weft/identity';
import type { Command, CommandIo } from '../command.ts';
import { CliError, CliErrorCode, formatCliError } from '../errors.ts';
import { printWorkloadIdentity } from '../identity/workload-identity.ts';

const USAGE = `Manage the mesh's identity certificates.

Usage:
  weft identity create --dir DIR [flags]
  weft identity [-n NS] deploy/NAME | po/NAME | POD

With a workload, prints the certificates each of its pods' proxies presents
to meshed peers (subject, DNS SAN, issuer, validity, serial, key, then the
PEM), read over mTLS with the CLI's tap certificate (.weft/cli.crt and
.weft/cli.key, or WEFT_TAP_CERT_FILE / WEFT_TAP_KEY_FILE).

create writes a new trust anchor (root CA) and issuer (intermediate CA), ECDSA
P-256, as PEM files:
  ca.crt       trust anchor certificate: give it to every proxy and to identity
  ca.key       trust anchor key: keep it offline; it signs the next issuer
  issuer.crt   issuer certificate (chains to ca.crt), for the identity service
  issuer.key   issuer key, for the identity service only
The identity service reads issuer.crt/issuer.key/ca.crt from a directory, or the
same material as tls.crt/tls.key/ca.crt (a kubernetes.io/tls Secret).

Flags:
      --dir DIR                 directory to write to (created if missing)
      --trust-domain DOMAIN     trust domain of identity names (default "cluster.local")
      --control-plane-ns NS     namespace of the control plane (default "weft-system")
      --force                   replace files that already exist
  -n, --namespace NS            namespace of the workload (default "default", or WEFT_NAMESPACE)
      --api-addr ADDR           the viz API of \`weft dev\` (or WEFT_API_ADDR)
`;

const FILES = ['ca.crt', 'ca.key', 'issuer.crt', 'issuer.key'] as const;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      'trust-domain': { type: 'string', default: DEFAULT_TRUST_DOMAIN },
      'control-plane-ns': { type: 'string', default: DEFAULT_CONTROL_PLANE_NAMESPACE },
      force: { type: 'boolean', default: false },
      namespace: { type: 'string', short: 'n' },
      'api-addr': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function describe(name: string, what: string, ca?: CaCertificate): string {
  const detail = ca ? `${ca.cert.subject.trim()}, valid until ${ca.cert.validToDate.toISOString().slice(0, 10)}` : '';
  return `√ ${name.padEnd(11)} ${what.padEnd(24)} ${detail}`.trimEnd();
}

async function create(values: ReturnType<typeof parse>['values'], io: CommandIo): Promise<number> {
  if (!values.dir) throw new CliError(CliErrorCode.Usage, 'create needs --dir DIR');
  const domain: IdentityDomain = {
    trustDomain: values['trust-domain'],
    controlPlaneNamespace: values['control-plane-ns'],
  };
  if (!domain.trustDomain.split('.').every((label) => DNS_LABEL.test(label))) {
    throw new CliError(CliErrorCode.Usage, `--trust-domain ${domain.trustDomain} is not a DNS name`);
  }
  if (!DNS_LABEL.test(domain.controlPlaneNamespace)) {
    throw new CliError(CliErrorCode.Usage, `--control-plane-ns ${domain.controlPlaneNamespace} is not a DNS label`);
  }
  const dir = resolve(values.dir);
  const present = FILES.filter((f) => existsSync(join(dir, f)));
  if (present.length > 0 && !values.force) {
    throw new CliError(CliErrorCode.Usage, `${dir} already holds ${present.join(', ')}; pass --force to replace them`);
  }
  const anchor = createTrustAnchor({ domain });
  const issuer = createIssuer(anchor, { domain });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'ca.crt'), anchor.certPem, { mode: 0o644 });
  await writeFile(join(dir, 'ca.key'), anchor.keyPem, { mode: 0o600 });
  await writeFile(join(dir, 'issuer.crt'), issuer.certPem, { mode: 0o644 });
  await writeFile(join(dir, 'issuer.key'), issuer.keyPem, { mode: 0o600 });
  io.stdout.write(
    [
      `Created the mesh's trust anchor and issuer in ${dir} (ECDSA P-256)`,
      describe('ca.crt', 'trust anchor', anchor),
      describe('ca.key', 'trust anchor key', undefined),
      describe('issuer.crt', 'issuer', issuer),
      describe('issuer.key', 'issuer key', undefined),
      '',
      `Workload identities: <sa>.<ns>.serviceaccount.identity.${domain.controlPlaneNamespace}.${domain.trustDomain}`,
      'Keep ca.key offline. Give ca.crt to every proxy; the identity service needs ca.crt, issuer.crt and issuer.key:',
      `  WEFT_IDENTITY_ISSUER_DIR=${dir}`,
      '',
    ].join('\n'),
  );
  return 0;
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
    if (values.help || positionals.length === 0) {
      io.stdout.write(USAGE);
      return values.help ? 0 : 2;
    }
    if (positionals[0] === 'create') {
      if (positionals.length > 1) throw new CliError(CliErrorCode.Usage, 'create takes no arguments');
      return await create(values, io);
    }
    return await printWorkloadIdentity(positionals, { namespace: values.namespace, apiAddr: values['api-addr'] }, io);
  } catch (err) {
    io.stderr.write(formatCliError(err));
    if (err instanceof CliError && err.code === CliErrorCode.Usage) {
      io.stderr.write(`\n${USAGE}`);
      return 2;
    }
    return 1;
  }
}

const command: Command = {
  summary: "Create the mesh's trust anchor and issuer certificates, or show a workload's",
  run,
};
export default command;
