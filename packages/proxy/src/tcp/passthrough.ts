import type { Socket } from 'node:net';
import type { Metrics } from '../metrics/registry.ts';
import { ALPN_OPAQUE, connectUpstream } from '../tls/connect.ts';
import { splice } from './splice.ts';

// A redirected connection to an address the mesh does not know: its bytes go
// to where the app sent them, untouched (no detection, no TLS), counted in
// the tcp series with passthrough="true" (the accepted side is counted by its listener).

export function passthrough(
  socket: Socket,
  host: string,
  port: number,
  key: string,
  metrics: Metrics,
  connectMs: number,
): void {
  // Plain TCP (no TLS, so no ALPN is sent), bounded by the connect timeout.
  const upstream = connectUpstream({ host, port, tls: undefined }, undefined, ALPN_OPAQUE, connectMs);
  metrics
    .tcp({
      direction: 'outbound',
      peer: 'dst',
      target_addr: key,
      target_ip: host,
      target_port: String(port),
      tls: 'no_identity',
      no_tls_reason: 'not_provided_by_service_discovery',
      passthrough: 'true',
    })
    .track(upstream);
  splice(socket, upstream);
}
