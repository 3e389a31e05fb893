import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

function tryListen(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A port that was free a moment ago: `preferred` when it can be bound,
 * otherwise one the kernel picks. The runner hands ports to processes by
 * environment variable, so it must choose them before starting anything.
 */
export async function freePort(preferred = 0, host = '0.0.0.0'): Promise<number> {
  if (preferred !== 0) {
    const port = await tryListen(preferred, host);
    if (port !== undefined) return port;
  }
  const port = await tryListen(0, host);
  if (port === undefined) throw new Error('no free TCP port available');
  return port;
}

// Ports chosen ahead of use must not come from the kernel's ephemeral range:
// between the check and the child's bind, the kernel may give the same port
// to any outgoing connection (a sidecar dialling the control plane) or to a
// listener on port 0, and the child fails with EADDRINUSE. Below the range
// only explicit binds compete.
const LOWEST = 15_000;

function firstEphemeralPort(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const port = Number(low);
    return Number.isInteger(port) && port > 0 ? port : 32_768;
  } catch {
    // Not Linux: macOS and Windows start their range at 49152.
    return 32_768;
  }
}

/** Handed out by this process already; a port is never handed out twice. */
const handedOut = new Set<number>();
let cursor: number | undefined;

/**
 * `count` distinct ports that were free a moment ago, consecutive from a
 * random start below the ephemeral range, so two runners starting side by
 * side are unlikely to pick the same ones. Falls back to the kernel's choice
 * where the ephemeral range leaves no room below it.
 */
export async function freePorts(count: number): Promise<number[]> {
  const top = Math.min(firstEphemeralPort(), 32_768);
  const ports: number[] = [];
  if (top - LOWEST < 1000) {
    while (ports.length < count) {
      const port = await freePort();
      if (!handedOut.has(port)) ports.push(port);
      handedOut.add(port);
    }
    return ports;
  }
  cursor ??= LOWEST + Math.floor(Math.random() * (top - LOWEST));
  for (let tried = 0; ports.length < count; tried++) {
    if (tried > top - LOWEST) throw new Error(`no ${count} free TCP ports between ${LOWEST} and ${top}`);
    const port = cursor;
    cursor = cursor + 1 >= top ? LOWEST : cursor + 1;
    if (handedOut.has(port) || (await tryListen(port, '0.0.0.0')) === undefined) continue;
    handedOut.add(port);
    ports.push(port);
  }
  return ports;
}
