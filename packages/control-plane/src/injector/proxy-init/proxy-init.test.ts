import { describe, expect, it } from 'vitest';
import { resolveProxySettings } from '../annotations.ts';
import { DEFAULT_INJECTOR_CONFIG } from '../config.ts';
import { initArgs } from '../containers.ts';
import { parseProxyInitArgs } from './args.ts';
import { natRules } from './rules.ts';

const argsFor = (annotations: Record<string, string>) =>
  initArgs(resolveProxySettings(annotations, DEFAULT_INJECTOR_CONFIG), DEFAULT_INJECTOR_CONFIG);

describe('proxy-init rules', () => {
  it('reads the command line the injector writes and redirects inbound to 4143, outbound to 4140', () => {
    const options = parseProxyInitArgs(argsFor({ 'config.weft.dev/skip-outbound-ports': '3306,6000-6010' }));
    expect(options.iptablesMode).toBe('nft');
    const rules = natRules(options, 4, '');
    expect(rules.split('\n')).toEqual([
      '*nat',
      ':PROXY_INIT_REDIRECT - [0:0]',
      ':PROXY_INIT_OUTPUT - [0:0]',
      '-A PROXY_INIT_REDIRECT -p tcp -m multiport --dports 4190,4191 -m comment --comment "proxy-init/ignore-port-4190,4191" -j RETURN',
      '-A PROXY_INIT_REDIRECT -p tcp -m comment --comment "proxy-init/redirect-all-incoming-to-proxy-port" -j REDIRECT --to-port 4143',
      '-A PREROUTING -m comment --comment "proxy-init/install-proxy-init-prerouting" -j PROXY_INIT_REDIRECT',
      '-A PROXY_INIT_OUTPUT -m owner --uid-owner 2102 -m comment --comment "proxy-init/ignore-proxy-user-id" -j RETURN',
      '-A PROXY_INIT_OUTPUT -o lo -m comment --comment "proxy-init/ignore-loopback" -j RETURN',
      '-A PROXY_INIT_OUTPUT -p tcp -m multiport --dports 3306,6000:6010 -m comment --comment "proxy-init/ignore-port-3306,6000:6010" -j RETURN',
      '-A PROXY_INIT_OUTPUT -p tcp -m comment --comment "proxy-init/redirect-all-outgoing-to-proxy-port" -j REDIRECT --to-port 4140',
      '-A OUTPUT -m comment --comment "proxy-init/install-proxy-init-output" -j PROXY_INIT_OUTPUT',
      'COMMIT',
      '',
    ]);
  });

  it('skips the proxy uid the pod asked for, and splits long port lists into multiport rules of 15', () => {
    const many = Array.from({ length: 20 }, (_, i) => 9000 + i * 2).join(',');
    const rules = natRules(
      parseProxyInitArgs(argsFor({ 'config.weft.dev/proxy-uid': '3000', 'config.weft.dev/skip-inbound-ports': many })),
      4,
      '',
    );
    expect(rules).toContain('--uid-owner 3000 ');
    const ignores = rules.split('\n').filter((l) => l.startsWith('-A PROXY_INIT_REDIRECT -p tcp -m multiport'));
    expect(ignores.map((l) => (/--dports (\S+)/.exec(l)?.[1] ?? '').split(',').length)).toEqual([15, 7]);
  });

  it('adds the jumps into its chains only when they are not there yet, so a re-run leaves one of each', () => {
    const options = parseProxyInitArgs([]);
    const installed = [
      '-A PREROUTING -m comment --comment "proxy-init/install-proxy-init-prerouting" -j PROXY_INIT_REDIRECT',
      '-A OUTPUT -m comment --comment "proxy-init/install-proxy-init-output" -j PROXY_INIT_OUTPUT',
    ].join('\n');
    const again = natRules(options, 4, installed);
    expect(again).not.toMatch(/^-A (PREROUTING|OUTPUT) /m);
    expect(again).toContain(':PROXY_INIT_REDIRECT - [0:0]');
    expect(natRules(options, 4, '-A PREROUTING -j PROXY_INIT_REDIRECT_OTHER')).toMatch(
      /^-A PREROUTING .*-j PROXY_INIT_REDIRECT$/m,
    );
  });

  it('puts each ignored subnet in the rules of its own IP family', () => {
    const options = parseProxyInitArgs(['--subnets-to-ignore', '10.0.0.0/8, fd00::/8']);
    expect(natRules(options, 4, '')).toContain('-s 10.0.0.0/8 ');
    expect(natRules(options, 4, '')).not.toContain('fd00::/8');
    expect(natRules(options, 6, '')).toContain('-s fd00::/8 ');
    expect(natRules(options, 6, '')).not.toContain('10.0.0.0/8');
  });

  it("chooses the iptables front end like Linkerd's proxy-init: --iptables-mode, else --firewall-bin-path, else nft", () => {
    expect(parseProxyInitArgs(['--iptables-mode', 'legacy']).iptablesMode).toBe('legacy');
    expect(parseProxyInitArgs(['--firewall-bin-path', 'iptables-legacy']).iptablesMode).toBe('legacy');
    expect(parseProxyInitArgs(['--firewall-bin-path', '/usr/sbin/iptables']).iptablesMode).toBe('plain');
    expect(parseProxyInitArgs(['--iptables-mode=nft', '--firewall-bin-path', 'iptables-legacy']).iptablesMode).toBe(
      'nft',
    );
    expect(parseProxyInitArgs([]).ipv6).toBe(true);
    expect(parseProxyInitArgs(['--ipv6=false']).ipv6).toBe(false);
    expect(parseProxyInitArgs(['--ipv6']).ipv6).toBe(true);
  });

  it('refuses unknown flags and bad values', () => {
    expect(() => parseProxyInitArgs(['--incoming-proxy-port', '99999'])).toThrow(/not a port/);
    expect(() => parseProxyInitArgs(['--redirect-everything', 'yes'])).toThrow(/unknown flag --redirect-everything/);
    expect(() => parseProxyInitArgs(['--proxy-uid'])).toThrow(/needs a value/);
    expect(() => parseProxyInitArgs(['--subnets-to-ignore', 'ten'])).toThrow(/not a CIDR/);
    expect(() => parseProxyInitArgs(['--iptables-mode', 'ebpf'])).toThrow(/not one of nft, legacy, plain/);
    expect(() => parseProxyInitArgs(['--firewall-bin-path', '/opt/fw'])).toThrow(/not one of iptables-nft/);
    expect(() => parseProxyInitArgs(['--ipv6=maybe'])).toThrow(/not true or false/);
    expect(() => parseProxyInitArgs(['--proxy-uid', '-1'])).toThrow(/not a user id/);
  });
});
