import type { Socket } from 'node:net';
import type { Metrics } from '../metrics/registry.ts';
import type { Outbound } from '../outbound/server.ts';
import { endpointKey } from '../resolve/update.ts';
import { passthrough } from '../tcp/passthrough.ts';
import type { OriginalDiscovery } from './discovery.ts';
import { originalDst } from './original-dst.ts';

// The outbound listener's accept stage. A connection proxy-init redirected
// carries its original destination, and that address's profile says what it
// is: a Service (its logical service, exactly as a Host names it), a pod (that
// endpoint) or neither (passed through). A connection made straight to the
// listener has none and is routed by the Host of its requests, as before.
// An ingress's proxy routes HTTP by Host even when redirected (the original
// destination is the ingress's own choice of backend, which the Host names
// better), and passes anything else through to where it was going.

export class OutboundByOriginalDst {
  readonly #outbound: Outbound;
  readonly #discovery: OriginalDiscovery;
  readonly #metrics: Metrics;
  readonly #connectMs: number;
  readonly #ingress: boolean;

  constructor(outbound: Outbound, discovery: OriginalDiscovery, metrics: Metrics, connectMs: number, ingress: boolean) {
    this.#outbound = outbound;
    this.#discovery = discovery;
    this.#metrics = metrics;
    this.#connectMs = connectMs;
    this.#ingress = ingress;
  }

  accept(socket: Socket): void {
    const dst = originalDst(socket);
    if (!dst) {
      this.#outbound.accept(socket, undefined);
      return;
    }
    const key = endpointKey(dst.address, dst.port);
    if (this.#ingress) {
      this.#outbound.accept(socket, undefined, () =>
        passthrough(socket, dst.address, dst.port, key, this.#metrics, this.#connectMs),
      );
      return;
    }
    // Bytes the app sends while discovery answers wait in the socket's buffer: nothing reads them yet.
    this.#discovery.lookup(key, dst.port, (target) => {
      if (socket.destroyed) return;
      // The control plane did not answer in time: closed, never sent around the mesh.
      if (!target) socket.destroy();
      else if (target.kind === 'passthrough') {
        this.#outbound.trackSource(socket, '');
        passthrough(socket, dst.address, dst.port, key, this.#metrics, this.#connectMs);
      } else this.#route(socket, target.authority, target.opaque);
    });
  }

  #route(socket: Socket, authority: string, opaque: boolean): void {
    const logical = this.#outbound.learn(authority);
    if (opaque) this.#outbound.acceptOpaque(socket, logical);
    else this.#outbound.accept(socket, logical);
  }
}
