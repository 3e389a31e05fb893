import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveProxySettings } from '../annotations.ts';
import { DEFAULT_INJECTOR_CONFIG } from '../config.ts';
import { initArgs } from '../containers.ts';
import { parseProxyInitArgs } from './args.ts';
import { natRules } from './rules.ts';

const argsFor = (annotations: Record<string, string>) =>
  initArgs(resolveProxySettings(annotations, DEFAULT_INJECTOR_CONFIG), DEFAULT_INJECTOR_CONFIG);

describe('proxy-init rules', () => {
  it('reads the command line the injector writes and redirects inbound to 4143, outbound to 4140', () => {
    const rules = natRules(parseProxyInitArgs(argsFor({ 'config.weft.dev/skip-outbound-ports': '3306,6000-6010' })));
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
    );
    expect(rules).toContain('--uid-owner 3000 ');
    const ignores = rules.split('\n').filter((l) => l.startsWith('-A PROXY_INIT_REDIRECT -p tcp -m multiport'));
    expect(ignores.map((l) => (/--dports (\S+)/.exec(l)?.[1] ?? '').split(',').length)).toEqual([15, 7]);
  });

  it('refuses unknown flags and bad values', () => {
    expect(() => parseProxyInitArgs(['--incoming-proxy-port', '99999'])).toThrow(/not a port/);
    expect(() => parseProxyInitArgs(['--redirect-everything', 'yes'])).toThrow(/unknown flag --redirect-everything/);
    expect(() => parseProxyInitArgs(['--proxy-uid'])).toThrow(/needs a value/);
    expect(() => parseProxyInitArgs(['--subnets-to-ignore', 'ten'])).toThrow(/not a CIDR/);
  });
});

describe('proxy-init process', () => {
  // iptables needs root and a network namespace, so stand-in binaries record
  // what the real process would hand to iptables-nft-restore.
  const dir = mkdtempSync(join(tmpdir(), 'weft-proxy-init-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'iptables-nft');
  const save = join(dir, 'iptables-nft-save');
  const restored = join(dir, 'restored.txt');
  writeFileSync(`${bin}-restore`, `#!/bin/sh\ncat > ${restored}\n`);
  chmodSync(`${bin}-restore`, 0o755);
  const main = new URL('./main.ts', import.meta.url).pathname;
  const run = (natSave: string) => {
    writeFileSync(save, `#!/bin/sh\ncat <<'OUT'\n${natSave}\nOUT\n`);
    chmodSync(save, 0o755);
    const args = [...argsFor({}).slice(0, -4), '--firewall-bin-path', bin, '--firewall-save-bin-path', save];
    return spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 10_000 });
  };

  it('installs the rules once, and leaves them alone when the init container restarts', () => {
    const first = run('*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT');
    expect(first.status, first.stderr).toBe(0);
    const rules = readFileSync(restored, 'utf8');
    expect(rules).toContain('-j REDIRECT --to-port 4143');
    rmSync(restored);
    const second = run(rules);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('already installed');
    expect(existsSync(restored)).toBe(false);
  });

  it('exits 1 with a message on a bad flag', () => {
    const r = spawnSync(process.execPath, [main, '--outgoing-proxy-port', 'x'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/WEFT_CP_INJECT_INVALID_CONFIG: proxy-init: --outgoing-proxy-port x is not a port/);
  });
});
