import { connect, createServer, type Server, type Socket } from 'node:net';
import { Netns, netnsExists } from '@weft/original-dst/netns';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { originalDst } from './original-dst.ts';

const self = new URL('./original-dst.ts', import.meta.url).pathname;

describe('original destination of an accepted connection', () => {
  let ns: Netns | undefined;
  let server: Server | undefined;
  let client: Socket | undefined;
  afterEach(() => {
    client?.destroy();
    server?.close();
  });
  afterAll(() => {
    const name = ns?.name;
    ns?.remove();
    if (name) expect(netnsExists(name)).toBe(false);
  });

  it('is undefined for a connection made straight to the listener, as in the local upstream-port mode', async () => {
    const listening = createServer();
    server = listening;
    const accepted = new Promise<Socket>((resolve) => listening.once('connection', resolve));
    await new Promise<void>((r) => listening.listen(0, '127.0.0.1', r));
    client = connect((listening.address() as { port: number }).port, '127.0.0.1');
    const socket = await accepted;
    expect(originalDst(socket)).toBeUndefined();
    socket.destroy();
  });

  it('is where the client was going when proxy-init-style rules redirected it, and undefined when they did not', async () => {
    ns = new Netns();
    ns.veth(['10.77.0.1/24']);
    const listener = await ns.listen('127.0.0.1', { lookupModule: self });
    ns.run('iptables', [
      '-t',
      'nat',
      '-A',
      'OUTPUT',
      '-p',
      'tcp',
      '-d',
      '10.77.0.9',
      '-j',
      'REDIRECT',
      '--to-ports',
      String(listener.port),
    ]);
    expect(await ns.connect('10.77.0.9', 8080)).toMatchObject({ connected: true });
    expect(await listener.landed()).toMatchObject({ originalDst: { address: '10.77.0.9', port: 8080, family: 4 } });
    // Tracked by conntrack (the namespace has nat rules) but not rewritten: the kernel
    // would answer with the listener's own address, which is no destination.
    expect(await ns.connect('127.0.0.1', listener.port)).toMatchObject({ connected: true });
    const direct = await listener.landed();
    expect(direct.error).toBeUndefined();
    expect(direct.originalDst).toBeNull();
  });
});
