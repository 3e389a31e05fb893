import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP front with a port of its own, as a Service address is: it passes connections to
 * `backend` (host:port), and drops them while `backend` is unset. A proxy keeps one address
 * while what is behind it goes away and comes back, and no other process can take that address
 * in between, as it could a port the backend gave up.
 */
export class TcpFront {
  backend: string | undefined;
  port = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(backend?: string) {
    this.backend = backend;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  async start(): Promise<this> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and cuts every connection passed on so far. */
  close(): void {
    this.#server.close();
    for (const s of this.#sockets) s.destroy();
  }

  #accept(socket: Socket): void {
    socket.on('error', () => {});
    if (!this.backend) {
      socket.destroy();
      return;
    }
    const split = this.backend.lastIndexOf(':');
    const upstream = connect(Number(this.backend.slice(split + 1)), this.backend.slice(0, split));
    upstream.on('error', () => {});
    for (const s of [socket, upstream]) {
      this.#sockets.add(s);
      s.on('close', () => {
        this.#sockets.delete(s);
        socket.destroy();
        upstream.destroy();
      });
    }
    socket.pipe(upstream).pipe(socket);
  }
}
