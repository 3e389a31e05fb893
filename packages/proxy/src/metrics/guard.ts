import { header } from './exposition.ts';

// What the listeners survived and refused: unexpected errors on the sockets,
// HTTP/2 sessions and streams they own, and the limits that acted. Every
// label comes from a fixed set, so these series never grow with traffic.

export type Direction = 'inbound' | 'outbound';
/** The network object an error arrived on. */
export type ErrorKind = 'socket' | 'session' | 'stream';
/**
 * connections: a listener at its connection limit; stream_rate: a connection opening streams too fast;
 * own_port: an inbound connection sent to one of the proxy's own ports, which it never forwards to;
 * ports: an inbound connection sent to one port more than the proxy serves at once.
 */
export type LimitKind = 'connections' | 'stream_rate' | 'own_port' | 'ports';

export class GuardCounters {
  readonly #errors = new Map<string, number>();
  readonly #limits = new Map<string, number>();

  error(direction: Direction, kind: ErrorKind): void {
    bump(this.#errors, `direction="${direction}",kind="${kind}"`);
  }

  limit(direction: Direction, limit: LimitKind): void {
    bump(this.#limits, `direction="${direction}",limit="${limit}"`);
  }

  *families(): Generator<string> {
    yield header(
      'network_errors_total',
      'counter',
      'Total count of unexpected errors on connections, HTTP/2 sessions and streams.',
    );
    for (const [labels, n] of this.#errors) yield `network_errors_total{${labels}} ${n}\n`;
    yield header(
      'limit_exceeded_total',
      'counter',
      'Total count of connections refused or closed by a listener limit.',
    );
    for (const [labels, n] of this.#limits) yield `limit_exceeded_total{${labels}} ${n}\n`;
  }
}

function bump(counts: Map<string, number>, labels: string): void {
  counts.set(labels, (counts.get(labels) ?? 0) + 1);
}
