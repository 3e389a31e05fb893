import { InjectorError, InjectorErrorCode } from '../errors.ts';
import type { PortRange } from '../ports.ts';
import { parsePortList } from '../ports.ts';

/** Which iptables front end to drive; `plain` is whatever `iptables` is on this machine. */
export type IptablesMode = 'nft' | 'legacy' | 'plain';

/** What weft-init is asked to do: the flags of Linkerd's proxy-init, same names. */
export interface ProxyInitOptions {
  readonly incomingProxyPort: number;
  readonly outgoingProxyPort: number;
  readonly proxyUid: number;
  readonly inboundPortsToIgnore: readonly PortRange[];
  readonly outboundPortsToIgnore: readonly PortRange[];
  readonly subnetsToIgnore: readonly string[];
  readonly iptablesMode: IptablesMode;
  /** Also install the rules with ip6tables, for dual-stack pods (Linkerd's --ipv6, default true). */
  readonly ipv6: boolean;
}

const usage = (message: string) => new InjectorError(InjectorErrorCode.InvalidConfig, `proxy-init: ${message}`);

function port(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw usage(`--${flag} ${value} is not a port`);
  return n;
}

const MODES: Record<string, IptablesMode> = { nft: 'nft', legacy: 'legacy', plain: 'plain' };
// --firewall-bin-path predates --iptables-mode; like Linkerd, it only names one of the three front ends.
const MODE_OF_BIN: Record<string, IptablesMode> = {
  'iptables-nft': 'nft',
  'iptables-legacy': 'legacy',
  iptables: 'plain',
};

function mode(values: ReadonlyMap<string, string>): IptablesMode {
  const flag = values.get('iptables-mode');
  if (flag !== undefined) {
    const m = MODES[flag];
    if (!m) throw usage(`--iptables-mode ${flag} is not one of nft, legacy, plain`);
    return m;
  }
  const bin = values.get('firewall-bin-path');
  if (bin === undefined) return 'nft';
  const m = MODE_OF_BIN[bin.split('/').pop() as string];
  if (!m) throw usage(`--firewall-bin-path ${bin} is not one of iptables-nft, iptables-legacy, iptables`);
  return m;
}

function bool(flag: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  throw usage(`--${flag}=${value} is not true or false`);
}

const KNOWN = new Set([
  'incoming-proxy-port',
  'outgoing-proxy-port',
  'proxy-uid',
  'inbound-ports-to-ignore',
  'outbound-ports-to-ignore',
  'subnets-to-ignore',
  'iptables-mode',
  'ipv6',
  'firewall-bin-path',
  // Accepted as Linkerd accepts it; the save command always follows the mode.
  'firewall-save-bin-path',
]);
// Flags that may stand alone (--ipv6 means --ipv6=true).
const SWITCHES = new Set(['ipv6']);

/** Parses proxy-init's command line; unknown flags are errors so a typo cannot leave a pod unredirected. */
export function parseProxyInitArgs(argv: readonly string[]): ProxyInitOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw usage(`unexpected argument "${arg}"`);
    const flag = m[1] as string;
    if (!KNOWN.has(flag)) throw usage(`unknown flag --${flag}`);
    const value = m[2] ?? (SWITCHES.has(flag) ? 'true' : argv[++i]);
    if (value === undefined) throw usage(`--${flag} needs a value`);
    values.set(flag, value);
  }
  const uid = Number(values.get('proxy-uid') ?? '2102');
  if (!/^\d+$/.test(values.get('proxy-uid') ?? '2102') || !Number.isSafeInteger(uid))
    throw usage(`--proxy-uid ${values.get('proxy-uid')} is not a user id`);
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
    iptablesMode: mode(values),
    ipv6: bool('ipv6', values.get('ipv6'), true),
  };
}
