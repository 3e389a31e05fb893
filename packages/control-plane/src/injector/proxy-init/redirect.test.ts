import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Netns, netnsExists, type ProbeListener } from '@weft/original-dst/netns';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InjectorErrorCode } from '../errors.ts';

// weft-proxy-init run for real: a "pod" namespace joined by a veth pair to a
// "peer" namespace standing for the rest of the cluster. Probe listeners in
// the pod stand for the proxy's inbound and outbound ports and for the app;
// each reports the connections it took and where they were going.
const MAIN = new URL('./main.ts', import.meta.url).pathname;
const PROXY_UID = 2102;
const APP_UID = 1000;

/** iptables-save output without what changes between two readings of the same rules (dates, counters). */
const rulesOf = (save: string) =>
  save
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .map((line) => line.replace(/\[\d+:\d+\]$/, '[0:0]'))
    .join('\n');

describe('weft-proxy-init in a pod network namespace', () => {
  const created: string[] = [];
  let pod: Netns;
  let peer: Netns;
  let outbound: ProbeListener;
  let inbound: ProbeListener;
  let app: ProbeListener;
  let peerApp: ProbeListener;
  let peerIgnored: ProbeListener;
  let args: string[];
  const proxyInit = (opts: Parameters<Netns['exec']>[2] = {}) => pod.exec(process.execPath, [MAIN, ...args], opts);
  const saved = () =>
    rulesOf(pod.run('iptables-save', ['-t', 'nat'])) + rulesOf(pod.run('ip6tables-save', ['-t', 'nat']));

  beforeAll(async () => {
    pod = new Netns();
    created.push(pod.name);
    peer = new Netns();
    created.push(peer.name);
    pod.veth(['10.78.0.1/24', 'fd78::1/64'], peer, ['10.78.0.2/24', 'fd78::2/64']);
    [outbound, inbound, app, peerApp, peerIgnored] = await Promise.all([
      pod.listen('::'),
      pod.listen('::'),
      pod.listen('::'),
      peer.listen('::'),
      peer.listen('::'),
    ]);
    args = [
      ...['--incoming-proxy-port', String(inbound.port), '--outgoing-proxy-port', String(outbound.port)],
      ...['--proxy-uid', String(PROXY_UID), '--inbound-ports-to-ignore', `4190,4191,${app.port}`],
      ...['--outbound-ports-to-ignore', String(peerIgnored.port)],
    ];
    const r = proxyInit();
    expect(r.status, r.stderr).toBe(0);
  });

  afterAll(() => {
    pod?.remove();
    peer?.remove();
    for (const name of created) expect(netnsExists(name)).toBe(false);
  });

  it("sends the app's connections to other pods to the outbound port, which reads where they were going", async () => {
    expect(await pod.connect('10.78.0.2', 80, { uid: APP_UID })).toEqual({ connected: true, reply: 'landed' });
    expect(await outbound.landed()).toMatchObject({ originalDst: { address: '10.78.0.2', port: 80, family: 4 } });
    expect(await pod.connect('fd78::2', 80, { uid: APP_UID })).toMatchObject({ connected: true });
    expect(await outbound.landed()).toMatchObject({ originalDst: { address: 'fd78::2', port: 80, family: 6 } });
  });

  it('sends connections from other pods to the inbound port, which reads where they were going', async () => {
    expect(await peer.connect('10.78.0.1', 8080)).toMatchObject({ connected: true });
    expect(await inbound.landed()).toMatchObject({ originalDst: { address: '10.78.0.1', port: 8080, family: 4 } });
    expect(await peer.connect('fd78::1', 8080)).toMatchObject({ connected: true });
    expect(await inbound.landed()).toMatchObject({ originalDst: { address: 'fd78::1', port: 8080, family: 6 } });
  });

  it("lets the proxy's own connections out untouched, and redirects the same connection made by another user", async () => {
    expect(await pod.connect('10.78.0.2', peerApp.port, { uid: PROXY_UID })).toMatchObject({ connected: true });
    expect(await peerApp.landed()).toMatchObject({ local: '::ffff:10.78.0.2', localPort: peerApp.port });
    expect(await pod.connect('10.78.0.2', peerApp.port, { uid: APP_UID })).toMatchObject({ connected: true });
    expect(await outbound.landed()).toMatchObject({ originalDst: { address: '10.78.0.2', port: peerApp.port } });
  });

  it('leaves loopback alone', async () => {
    expect(await pod.connect('127.0.0.1', app.port, { uid: APP_UID })).toMatchObject({ connected: true });
    expect(await app.landed()).toMatchObject({ local: '::ffff:127.0.0.1', localPort: app.port });
    expect(await pod.connect('::1', app.port, { uid: APP_UID })).toMatchObject({ connected: true });
    expect(await app.landed()).toMatchObject({ local: '::1', localPort: app.port });
  });

  it('lets ignored inbound and outbound ports through to where they were going', async () => {
    expect(await peer.connect('10.78.0.1', app.port)).toMatchObject({ connected: true });
    expect(await app.landed()).toMatchObject({ local: '::ffff:10.78.0.1', localPort: app.port });
    expect(await pod.connect('fd78::2', peerIgnored.port, { uid: APP_UID })).toMatchObject({ connected: true });
    expect(await peerIgnored.landed()).toMatchObject({ local: 'fd78::2', localPort: peerIgnored.port });
  });

  it('leaves exactly the same rules when run again, as a restarted init container does', () => {
    const before = saved();
    expect(before.match(/-j PROXY_INIT_REDIRECT$/gm)).toHaveLength(2); // one jump per IP family
    const again = proxyInit();
    expect(again.status, again.stderr).toBe(0);
    expect(saved()).toBe(before);
  });

  it('exits 1 with NO_IPTABLES, changing nothing, when iptables is not installed', () => {
    const before = saved();
    const r = proxyInit({ env: { PATH: '/nonexistent' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${InjectorErrorCode.NoIptables}: proxy-init: no iptables-save/iptables-restore`);
    expect(saved()).toBe(before);
  });

  it('exits 1 with IPTABLES_PERMISSION when it runs without root', () => {
    const r = proxyInit({ uid: 65534 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${InjectorErrorCode.IptablesPermission}: proxy-init: iptables-nft-save -t nat`);
  });
});

describe('weft-proxy-init and the iptables front ends', () => {
  let ns: Netns | undefined;
  let bin: string | undefined;
  afterEach(() => {
    const name = ns?.name;
    ns?.remove();
    ns = undefined;
    if (name) expect(netnsExists(name)).toBe(false);
    if (bin) rmSync(bin, { recursive: true, force: true });
  });

  it('installs the rules with iptables-legacy, not nft', () => {
    ns = new Netns();
    const r = ns.exec(process.execPath, [MAIN, '--iptables-mode', 'legacy', '--ipv6=false']);
    expect(r.status, r.stderr).toBe(0);
    expect(ns.run('iptables-legacy-save', ['-t', 'nat'])).toMatch(/^-A OUTPUT .*-j PROXY_INIT_OUTPUT$/m);
    expect(ns.run('iptables-nft-save', ['-t', 'nat'])).not.toContain('PROXY_INIT');
  });

  it('falls back to the legacy front end, and says so, on a machine that has only that one', () => {
    ns = new Netns();
    bin = mkdtempSync(join(tmpdir(), 'weft-legacy-only-'));
    for (const name of ['iptables-legacy-save', 'iptables-legacy-restore'])
      symlinkSync(execFileSync('which', [name], { encoding: 'utf8' }).trim(), join(bin, name));
    const r = ns.exec(process.execPath, [MAIN, '--ipv6=false'], { env: { PATH: bin } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('proxy-init: no nft iptables installed; using iptables-legacy-restore');
    expect(ns.run('iptables-legacy-save', ['-t', 'nat'])).toMatch(/^-A PREROUTING .*-j PROXY_INIT_REDIRECT$/m);
  });
});
