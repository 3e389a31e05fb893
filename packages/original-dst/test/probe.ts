// Run inside a test's network namespace (ip netns exec): `listen HOST PORT [MODULE]`
// prints its port (the one chosen, for 0), then one JSON line per accepted connection with where it
// landed and where it was going (asked of MODULE's `originalDst(socket)` when
// given, e.g. the proxy's, and as `viaFd` of the bare descriptor, the addon
// finding the family itself); `connect HOST PORT` prints whether it reached a
// listener. Lines on stdout are the whole interface with the test.
import { connect, createServer, type Socket } from 'node:net';
import { originalDstOf, originalDstOfFd, socketFd } from '../src/index.ts';

const [mode, host, port] = process.argv.slice(2);
const lookup: (socket: Socket) => unknown =
  mode === 'listen' && process.argv[5] ? (await import(process.argv[5])).originalDst : originalDstOf;
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

if (mode === 'listen') {
  const server = createServer((socket) => {
    let originalDst: unknown = null;
    let viaFd: unknown = null;
    let error: string | undefined;
    try {
      // Asked of the bare descriptor first, before Node has read the socket's local address.
      viaFd = originalDstOfFd(socketFd(socket) as number) ?? null;
      originalDst = lookup(socket) ?? null;
    } catch (err) {
      error = (err as { code?: string }).code;
    }
    const { localAddress: local, localPort, remoteAddress: remote } = socket;
    say({ local, localPort, remote, originalDst, viaFd, error });
    socket.on('error', () => {});
    socket.end('landed\n');
  });
  server.listen({ host, port: Number(port) }, () => say({ port: (server.address() as { port: number }).port }));
  // The test ends the listener by closing stdin, so it cannot outlive the test's process.
  process.stdin.on('end', () => process.exit(0)).resume();
} else if (mode === 'connect') {
  const socket = connect({ host, port: Number(port), timeout: 10_000 });
  socket.once('data', (data) => {
    say({ connected: true, reply: data.toString().trim() });
    socket.destroy();
  });
  socket.once('timeout', () => {
    say({ connected: false, error: 'ETIMEDOUT' });
    socket.destroy();
  });
  socket.once('error', (err: NodeJS.ErrnoException) => say({ connected: false, error: err.code }));
} else {
  console.error(`usage: probe.ts listen HOST PORT [MODULE] | connect HOST PORT (got ${mode})`);
  process.exit(2);
}
