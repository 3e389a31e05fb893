import type { Socket } from 'node:net';
import { splice } from '../tcp/splice.ts';
import { ALPN_OPAQUE, connectUpstream } from '../tls/connect.ts';
import type { LocalIdentity } from '../tls/local-identity.ts';
import type { Endpoint } from './endpoint.ts';
import type { Logical } from './logical.ts';

// Opaque TCP to a logical service: a backend of its split, an endpoint picked
// by P2C (queued, bounded by fail-fast, while there is none), one connection
// per client connection, over mTLS to a meshed peer (ALPN says opaque, so its
// inbound side forwards the bytes untouched). The balancer's latency sample
// and the breaker's outcome are the connection's establishment, as Linkerd
// measures opaque endpoints.

export function forwardOpaque(
  socket: Socket,
  logical: Logical,
  identity: LocalIdentity | undefined,
  connectMs: number,
): void {
  const target = logical.target();
  const connectTo = (ep: Endpoint | undefined) => {
    if (!ep || socket.destroyed) return socket.destroy();
    ep.started();
    const upstream = connectUpstream(
      { host: ep.host, port: ep.port, tls: ep.meta.tls },
      identity,
      ALPN_OPAQUE,
      connectMs,
    );
    ep.tcp.track(upstream);
    const start = performance.now();
    let established = false;
    upstream.once(ep.meshed ? 'secureConnect' : 'connect', () => {
      established = true;
      ep.responded(performance.now() - start);
      ep.breaker?.record(false);
    });
    upstream.once('close', () => {
      if (!established) {
        ep.responded(performance.now() - start);
        ep.breaker?.record(true);
      }
      ep.finished();
    });
    splice(socket, upstream);
    socket.resume();
  };
  const ep = target.pick();
  if (ep) connectTo(ep);
  else target.enqueue(connectTo);
}
