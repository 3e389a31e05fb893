import { closeSync, openSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, loadOriginalDst, originalDstOf, originalDstOfFd, socketFd } from '../src/index.ts';
import { type Landed, Netns, netnsExists } from './netns.ts';

// The addon is built by `pnpm install` on Linux; the tests of the lookup need it.
describe('loading', () => {
  it('loads the addon on Linux', () => {
    expect(loadOriginalDst()).toMatchObject({ available: true });
  });
});

/** The lookup by descriptor alone (the addon finding the family) agrees with the socket's. */
const sameViaFd = (landed: Landed) => {
  expect(landed.viaFd).toEqual(landed.originalDst);
  return landed;
};

describe('connections that iptables redirected', () => {
  let ns: Netns;
  const created: string[] = [];

  beforeAll(() => {
    ns = new Netns();
    created.push(ns.name);
    // Addresses that exist only in this namespace; clients dial others in their subnets.
    ns.veth(['10.77.0.1/24', 'fd77::1/64']);
  });
  afterAll(() => {
    ns?.remove();
    for (const name of created) expect(netnsExists(name)).toBe(false);
  });

  const redirect = (ipt: string, dst: string, dport: number, to: number) =>
    ns.run(ipt, [
      '-t',
      'nat',
      '-A',
      'OUTPUT',
      '-p',
      'tcp',
      '-d',
      dst,
      '--dport',
      String(dport),
      '-j',
      'REDIRECT',
      '--to-ports',
      String(to),
    ]);

  it('reads the IPv4 address and port a client dialled, on an IPv4 listener', async () => {
    const listener = await ns.listen('127.0.0.1');
    redirect('iptables', '10.77.0.9', 8080, listener.port);
    expect(await ns.connect('10.77.0.9', 8080)).toEqual({ connected: true, reply: 'landed' });
    expect(sameViaFd(await listener.landed())).toMatchObject({
      local: '127.0.0.1',
      localPort: listener.port,
      originalDst: { address: '10.77.0.9', port: 8080, family: 4 },
    });
  });

  it('reads the IPv4 destination of a connection a dual-stack listener took as ::ffff:a.b.c.d', async () => {
    const listener = await ns.listen('::');
    redirect('iptables', '10.77.0.10', 9090, listener.port);
    expect(await ns.connect('10.77.0.10', 9090)).toMatchObject({ connected: true });
    expect(sameViaFd(await listener.landed())).toMatchObject({
      local: '::ffff:127.0.0.1',
      originalDst: { address: '10.77.0.10', port: 9090, family: 4 },
    });
  });

  it('reads the IPv6 address and port a client dialled', async () => {
    const listener = await ns.listen('::1');
    redirect('ip6tables', 'fd77::9', 8443, listener.port);
    expect(await ns.connect('fd77::9', 8443)).toMatchObject({ connected: true });
    expect(sameViaFd(await listener.landed())).toMatchObject({
      local: '::1',
      originalDst: { address: 'fd77::9', port: 8443, family: 6 },
    });
  });

  it('gives a connection that was tracked but not rewritten its own local address', async () => {
    // The nat rules above make the namespace track every connection; this one matches none.
    const listener = await ns.listen('10.77.0.1');
    expect(await ns.connect('10.77.0.1', listener.port)).toMatchObject({ connected: true });
    expect(sameViaFd(await listener.landed())).toMatchObject({
      originalDst: { address: '10.77.0.1', port: listener.port, family: 4 },
    });
  });
});

describe('connections netfilter never tracked', () => {
  let ns: Netns | undefined;
  afterAll(() => {
    const name = ns?.name;
    ns?.remove();
    if (name) expect(netnsExists(name)).toBe(false);
  });

  it('are undefined: a namespace without nat rules keeps no conntrack entry to read', async () => {
    ns = new Netns();
    const listener = await ns.listen('127.0.0.1');
    expect(await ns.connect('127.0.0.1', listener.port)).toMatchObject({ connected: true });
    const landed = await listener.landed();
    expect(landed.error).toBeUndefined();
    expect(landed.originalDst).toBeNull();
  });
});

describe('bad descriptors', () => {
  let server: Server | undefined;
  let client: Socket | undefined;
  afterEach(() => {
    client?.destroy();
    server?.close();
  });

  it('a closed descriptor is BAD_SOCKET (EBADF), not a crash', () => {
    const fd = openSync('/dev/null', 'r');
    closeSync(fd);
    expect(() => originalDstOfFd(fd)).toThrow(
      expect.objectContaining({ code: ERROR_CODES.BAD_SOCKET, errno: 'EBADF' }),
    );
  });

  it('a file is BAD_SOCKET (ENOTSOCK)', () => {
    const fd = openSync('/dev/null', 'r');
    try {
      expect(() => originalDstOfFd(fd)).toThrow(
        expect.objectContaining({ code: ERROR_CODES.BAD_SOCKET, errno: 'ENOTSOCK' }),
      );
    } finally {
      closeSync(fd);
    }
  });

  it('a negative, fractional, out-of-range or non-numeric descriptor is BAD_SOCKET, never another descriptor', () => {
    expect(() => originalDstOfFd(-1)).toThrow(expect.objectContaining({ code: ERROR_CODES.BAD_SOCKET }));
    expect(() => originalDstOfFd(1.5)).toThrow(expect.objectContaining({ code: ERROR_CODES.BAD_SOCKET }));
    // NaN would read as 0 and 2^32 + 1 as 1 if taken as an int32: stdin and stdout, both files here.
    expect(() => originalDstOfFd(Number.NaN)).toThrow(expect.objectContaining({ errno: 'EINVAL' }));
    expect(() => originalDstOfFd(2 ** 32 + 1)).toThrow(expect.objectContaining({ errno: 'EINVAL' }));
    expect(() => originalDstOfFd('7' as unknown as number)).toThrow(
      expect.objectContaining({ code: ERROR_CODES.BAD_SOCKET }),
    );
  });

  it('a socket that has closed is BAD_SOCKET', async () => {
    server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    client = connect(port, '127.0.0.1');
    await new Promise((r) => client?.once('connect', r));
    expect(socketFd(client)).toBeGreaterThanOrEqual(0);
    client.destroy();
    expect(() => originalDstOf(client as Socket)).toThrow(expect.objectContaining({ code: ERROR_CODES.BAD_SOCKET }));
  });
});
