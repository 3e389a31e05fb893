import { readFileSync } from 'node:fs';
import { ip } from './ip-command.ts';
import { type Prefix, parsePrefix } from './ipv4.ts';

// What the host already reaches, so the pods' subnet takes none of it: every
// route (all tables, not only main), every address with its prefix, and the
// name servers, which the default route alone would not reveal. A pod subnet
// over any of them would send the host's own traffic into the bridge.

/** The readings the used prefixes come from, as `ip -j` and /etc/resolv.conf give them. */
export interface HostReadings {
  /** `ip -j -4 route show table all` */
  readonly routes: string;
  /** `ip -j -4 addr` */
  readonly addresses: string;
  /** /etc/resolv.conf, or '' when there is none. */
  readonly resolvConf: string;
}

interface RouteJson {
  readonly dst?: string;
  readonly dev?: string;
}
interface AddrJson {
  readonly ifname?: string;
  readonly addr_info?: readonly { readonly local?: string; readonly prefixlen?: number }[];
}

/**
 * Every IPv4 prefix the host uses, but those of interface `except` (a run's
 * own bridge, when it looks again); `default` routes are left out (they
 * would cover everything).
 */
export function usedPrefixes(readings: HostReadings, except?: string): Prefix[] {
  const texts: string[] = [];
  for (const r of JSON.parse(readings.routes || '[]') as RouteJson[])
    if (r.dst && r.dst !== 'default' && r.dev !== except) texts.push(r.dst);
  for (const link of JSON.parse(readings.addresses || '[]') as AddrJson[])
    if (link.ifname !== except)
      for (const a of link.addr_info ?? []) if (a.local) texts.push(`${a.local}/${a.prefixlen ?? 32}`);
  for (const line of readings.resolvConf.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m?.[1]) texts.push(m[1]);
  }
  return texts.map(parsePrefix).filter((p): p is Prefix => p !== undefined);
}

export function readHostNetworks(): HostReadings {
  let resolvConf = '';
  try {
    resolvConf = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    // No resolver configured: no name server to keep clear of.
  }
  return {
    routes: ip('-j', '-4', 'route', 'show', 'table', 'all'),
    addresses: ip('-j', '-4', 'addr'),
    resolvConf,
  };
}
