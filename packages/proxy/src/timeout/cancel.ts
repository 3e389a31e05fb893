import type { Socket } from 'node:net';

// Cancelling an HTTP/1 request means closing its connection, but a FIN is
// ambiguous between proxies: the inbound side accepts half-closed requests
// (a client may half-close and still read the answer). A reset is not: the
// peer proxy sees ECONNRESET and cancels the request to its app.
// node:tls keeps the TCP socket it wraps as `_parent`; it is reset before the
// TLS socket closes it with a FIN. Without one (plaintext) the socket itself is reset.

type Wrapped = Socket & { _parent?: Socket | null };

export function resetConnection(socket: Socket | null | undefined): void {
  if (!socket) return;
  const tcp = (socket as Wrapped)._parent ?? socket;
  try {
    if (typeof tcp.resetAndDestroy === 'function' && !tcp.destroyed) tcp.resetAndDestroy();
  } catch {
    // A handle that cannot be reset is closed instead.
  }
  if (!socket.destroyed) socket.destroy();
}
