import type { Socket } from 'node:net';
import { ERROR_CODES, OriginalDstError } from './errors.ts';
import { loadOriginalDst, type OriginalDst } from './load.ts';

export { ERROR_CODES, OriginalDstError, type OriginalDstErrorCode } from './errors.ts';
export { loadOriginalDst, type OriginalDst, type OriginalDstSupport } from './load.ts';

// errno names that mean "this is not a connected IP socket", as opposed to the
// kernel being unable to answer (no connection tracking in this namespace).
const NOT_A_SOCKET = new Set(['EBADF', 'ENOTSOCK', 'EAFNOSUPPORT', 'EINVAL', 'ENOTCONN']);

/**
 * The original destination of the connection on `fd`, or undefined when
 * netfilter did not rewrite it (no NAT rule in this namespace matched it).
 * Throws OriginalDstError: UNAVAILABLE, BAD_SOCKET or LOOKUP_FAILED.
 */
export function originalDstOfFd(fd: number, family?: 4 | 6): OriginalDst | undefined {
  const support = loadOriginalDst();
  if (!support.available) throw new OriginalDstError(ERROR_CODES.UNAVAILABLE, support.reason);
  try {
    return support.lookup(fd, family);
  } catch (err) {
    const errno = (err as { code?: string }).code;
    const code = errno && NOT_A_SOCKET.has(errno) ? ERROR_CODES.BAD_SOCKET : ERROR_CODES.LOOKUP_FAILED;
    throw new OriginalDstError(code, `fd ${fd}: ${(err as Error).message}`, errno);
  }
}

/** The descriptor under a node:net socket; Node keeps it on the handle on Unix. */
export function socketFd(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/** The family whose conntrack entry holds the connection: IPv4 also for ::ffff:a.b.c.d. */
const familyOf = (local: string | undefined): 4 | 6 | undefined =>
  local === undefined ? undefined : local.includes(':') && !local.startsWith('::ffff:') ? 6 : 4;

/** originalDstOfFd for an accepted node:net socket; BAD_SOCKET once it is closed. */
export function originalDstOf(socket: Socket): OriginalDst | undefined {
  const fd = socketFd(socket);
  if (fd === undefined) throw new OriginalDstError(ERROR_CODES.BAD_SOCKET, 'the socket has no descriptor (closed?)');
  // Node reads a socket's local address once and keeps it, so this costs no syscall after the first.
  return originalDstOfFd(fd, familyOf(socket.localAddress));
}
