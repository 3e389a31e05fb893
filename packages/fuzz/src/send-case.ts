import { connect, type Socket } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import type { FuzzCase } from './fuzz-case.ts';

/** A listener to fuzz, always on loopback. */
export interface Endpoint {
  readonly port: number;
  /** When given, HTTP cases are written inside a TLS session made with these options. */
  readonly tls?: ConnectionOptions;
  /** A listener that takes TLS and plaintext alike (the proxy's inbound): every other HTTP case goes in plaintext. */
  readonly alsoPlain?: boolean;
}

/**
 * Whether case number `index` goes inside TLS. Cases that are garbage at the
 * TLS layer itself (records, raw bytes) always go bare: inside a session
 * they would only be more application data.
 */
export function overTls(endpoint: Endpoint, index: number, fuzzCase: FuzzCase): boolean {
  if (!endpoint.tls || fuzzCase.layer === 'transport') return false;
  return !(endpoint.alsoPlain && Math.abs(index) % 2 === 1);
}

const LOOPBACK = '127.0.0.1';

/**
 * Writes one case on a fresh connection, each write after the previous one
 * left, ends it as the case says and resolves once the peer closed or
 * `lingerMs` passed. It never rejects: what the listener answers is not the
 * question, whether its process survives is.
 */
export function sendCase(endpoint: Endpoint, fuzzCase: FuzzCase, tls: boolean, lingerMs: number): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket =
      tls && endpoint.tls
        ? tlsConnect({ ...endpoint.tls, host: LOOPBACK, port: endpoint.port })
        : connect(endpoint.port, LOOPBACK);
    const deadline = setTimeout(() => socket.destroy(), lingerMs);
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(deadline);
      resolve();
    });
    socket.resume();
    const writeFrom = (i: number): void => {
      if (socket.destroyed) return;
      const chunk = fuzzCase.writes[i];
      if (chunk !== undefined) {
        socket.write(chunk, () => setImmediate(writeFrom, i + 1));
        return;
      }
      if (fuzzCase.ending === 'end') socket.end();
      else if (fuzzCase.ending === 'reset') {
        // A TLS socket's handle cannot send RST; tearing it down is the nearest.
        if (tls) socket.destroy();
        else socket.resetAndDestroy();
      }
    };
    socket.once(tls ? 'secureConnect' : 'connect', () => writeFrom(0));
  });
}
