import type { PortRange } from '../ports.ts';
import type { ProxyInitOptions } from './args.ts';

export const REDIRECT_CHAIN = 'PROXY_INIT_REDIRECT';
export const OUTPUT_CHAIN = 'PROXY_INIT_OUTPUT';

// iptables' multiport match takes at most 15 ports, a range counting as two.
const MULTIPORT_LIMIT = 15;

function multiportGroups(ranges: readonly PortRange[]): string[] {
  const groups: string[] = [];
  let current: string[] = [];
  let weight = 0;
  for (const r of ranges) {
    const w = r.from === r.to ? 1 : 2;
    if (weight + w > MULTIPORT_LIMIT) {
      groups.push(current.join(','));
      current = [];
      weight = 0;
    }
    current.push(r.from === r.to ? `${r.from}` : `${r.from}:${r.to}`);
    weight += w;
  }
  if (current.length) groups.push(current.join(','));
  return groups;
}

const comment = (text: string) => `-m comment --comment "proxy-init/${text}"`;

const hasJump = (natSave: string, from: string, to: string) =>
  new RegExp(`^-A ${from} (.+ )?-j ${to}\\s*$`, 'm').test(natSave);

/**
 * The nat-table rules, as `iptables-restore --noflush` input, that send a
 * pod's inbound TCP to the proxy's inbound port and its outbound TCP to the
 * outbound port, except the proxy's own traffic (by uid), loopback, and
 * ignored ports/subnets. Rule order and comments follow Linkerd's proxy-init
 * so the same `iptables-save` reading skills apply.
 *
 * Re-runnable: declaring the two chains empties them if they exist, and the
 * jumps into them are added only when `natSave` (what `iptables-save -t nat`
 * shows now) lacks them, so a restarted init container leaves the same rules.
 * Subnets of the other IP family than `family` are left to the other run.
 */
export function natRules(o: ProxyInitOptions, family: 4 | 6, natSave: string): string {
  const lines = ['*nat', `:${REDIRECT_CHAIN} - [0:0]`, `:${OUTPUT_CHAIN} - [0:0]`];
  for (const ports of multiportGroups(o.inboundPortsToIgnore)) {
    lines.push(
      `-A ${REDIRECT_CHAIN} -p tcp -m multiport --dports ${ports} ${comment(`ignore-port-${ports}`)} -j RETURN`,
    );
  }
  for (const subnet of o.subnetsToIgnore.filter((s) => s.includes(':') === (family === 6))) {
    lines.push(`-A ${REDIRECT_CHAIN} -s ${subnet} ${comment(`ignore-subnet-${subnet}`)} -j RETURN`);
  }
  lines.push(
    `-A ${REDIRECT_CHAIN} -p tcp ${comment('redirect-all-incoming-to-proxy-port')} -j REDIRECT --to-port ${o.incomingProxyPort}`,
  );
  if (!hasJump(natSave, 'PREROUTING', REDIRECT_CHAIN))
    lines.push(`-A PREROUTING ${comment('install-proxy-init-prerouting')} -j ${REDIRECT_CHAIN}`);
  lines.push(
    `-A ${OUTPUT_CHAIN} -m owner --uid-owner ${o.proxyUid} ${comment('ignore-proxy-user-id')} -j RETURN`,
    `-A ${OUTPUT_CHAIN} -o lo ${comment('ignore-loopback')} -j RETURN`,
  );
  for (const ports of multiportGroups(o.outboundPortsToIgnore)) {
    lines.push(`-A ${OUTPUT_CHAIN} -p tcp -m multiport --dports ${ports} ${comment(`ignore-port-${ports}`)} -j RETURN`);
  }
  lines.push(
    `-A ${OUTPUT_CHAIN} -p tcp ${comment('redirect-all-outgoing-to-proxy-port')} -j REDIRECT --to-port ${o.outgoingProxyPort}`,
  );
  if (!hasJump(natSave, 'OUTPUT', OUTPUT_CHAIN))
    lines.push(`-A OUTPUT ${comment('install-proxy-init-output')} -j ${OUTPUT_CHAIN}`);
  lines.push('COMMIT');
  return `${lines.join('\n')}\n`;
}
