import type { Server } from 'node:http';
import type { Http2Server, Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { Guard } from './guard.ts';

// The open connections of one direction, so shutdown can drain them: HTTP/1
// connections close after their current response, HTTP/2 sessions get GOAWAY
// and finish their streams, and whatever is left at the deadline is cut.

export class Connections {
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<Http2Session>();
  readonly guard: Guard;
  draining = false;

  constructor(guard: Guard) {
    this.guard = guard;
  }

  /**
   * The start of every accepted connection: its errors guarded before
   * anything else, tracked for the drain, and none taken once draining
   * began. False: it was refused.
   */
  admit(socket: Socket): boolean {
    socket.on('error', this.guard.onSocketError);
    socket.setNoDelay(true);
    if (this.draining) {
      socket.destroy();
      return false;
    }
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    return true;
  }

  watchH2(server: Http2Server): void {
    server.on('session', (session: Http2Session) => {
      this.#sessions.add(session);
      session.once('close', () => this.#sessions.delete(session));
      if (this.draining) session.close();
    });
  }

  get size(): number {
    return this.#sockets.size;
  }

  /** Resolves once every connection is gone, or at the deadline after cutting the rest. */
  async drain(h1: Server, graceMs: number): Promise<void> {
    this.draining = true;
    h1.closeIdleConnections();
    for (const session of this.#sessions) session.close();
    const deadline = Date.now() + graceMs;
    while (this.#sockets.size > 0 && Date.now() < deadline) {
      h1.closeIdleConnections();
      await new Promise((r) => setTimeout(r, 25));
    }
    for (const socket of this.#sockets) socket.destroy();
    h1.close(() => {});
  }
}
