import { InjectorError, InjectorErrorCode } from '../errors.ts';
import type { PortRange } from '../ports.ts';
import { parsePortList } from '../ports.ts';

/** What weft-init is asked to do: the flags of Linkerd's proxy-init, same names. */
export interface ProxyInitOptions {
  readonly incomingProxyPort: number;
  readonly outgoingProxyPort: number;
  readonly proxyUid: number;
  readonly inboundPortsToIgnore: readonly PortRange[];
  readonly outboundPortsToIgnore: readonly PortRange[];
  readonly subnetsToIgnore: readonly string[];
  readonly firewallBinPath: string;
  readonly firewallSaveBinPath: string;
}

const usage = (message: string) => new InjectorError(InjectorErrorCode.InvalidConfig, `proxy-init: ${message}`);

function port(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw usage(`--${flag} ${value} is not a port`);
  return n;
}

/** Parses proxy-init's command line; unknown flags are errors so a typo cannot leave a pod unredirected. */
export function parseProxyInitArgs(argv: readonly string[]): ProxyInitOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw usage(`unexpected argument "${arg}"`);
    const flag = m[1] as string;
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw usage(`--${flag} needs a value`);
    values.set(flag, value);
  }
  const known = [
    'incoming-proxy-port',
    'outgoing-proxy-port',
    'proxy-uid',
    'inbound-ports-to-ignore',
    'outbound-ports-to-ignore',
    'subnets-to-ignore',
    'firewall-bin-path',
    'firewall-save-bin-path',
  ];
  for (const flag of values.keys()) if (!known.includes(flag)) throw usage(`unknown flag --${flag}`);
  const uid = Number(values.get('proxy-uid') ?? '2102');
  if (!Number.isInteger(uid) || uid < 0) throw usage(`--proxy-uid ${values.get('proxy-uid')} is not a user id`);
  const subnets = (values.get('subnets-to-ignore') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of subnets)
    if (!/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(s)) throw usage(`--subnets-to-ignore ${s} is not a CIDR`);
  return {
    incomingProxyPort: port('incoming-proxy-port', values.get('incoming-proxy-port') ?? '4143'),
    outgoingProxyPort: port('outgoing-proxy-port', values.get('outgoing-proxy-port') ?? '4140'),
    proxyUid: uid,
    inboundPortsToIgnore: parsePortList(values.get('inbound-ports-to-ignore') ?? '', '--inbound-ports-to-ignore'),
    outboundPortsToIgnore: parsePortList(values.get('outbound-ports-to-ignore') ?? '', '--outbound-ports-to-ignore'),
    subnetsToIgnore: subnets,
    firewallBinPath: values.get('firewall-bin-path') ?? 'iptables-nft',
    firewallSaveBinPath: values.get('firewall-save-bin-path') ?? 'iptables-nft-save',
  };
}
