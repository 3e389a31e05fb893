import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// Two endpoints of one service for the circuit-breaking tests: `a` answers
// 500 while `failing` is set, `b` always 200; each counts what it answered.

export class FlakyPair {
  /** Whether endpoint a answers 500. */
  failing = false;
  /** Requests each endpoint answered, /slow ones aside. */
  readonly hits = { a: 0, b: 0 };
  #servers: Server[] = [];

  /** Starts both; resolves with their addresses, as the destination serves them. */
  async start(): Promise<{ ip: string; port: number }[]> {
    this.#servers = [await this.#backend('a'), await this.#backend('b')];
    return this.#servers.map((s) => ({ ip: '127.0.0.1', port: (s.address() as AddressInfo).port }));
  }

  close(): void {
    for (const s of this.#servers) {
      s.closeAllConnections();
      s.close();
    }
  }

  async #backend(name: 'a' | 'b'): Promise<Server> {
    const s = createServer((req, res) => {
      // A request still in flight while settings change: its body takes 400 ms. The headers come at
      // once, as a slow answer would make peak-EWMA steer requests away from its endpoint for seconds.
      if (req.url === '/slow') {
        res.write('slow ');
        setTimeout(() => res.end('and whole'), 400);
        return;
      }
      this.hits[name]++;
      res.statusCode = name === 'a' && this.failing ? 500 : 200;
      res.end(name);
    });
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    return s;
  }
}
