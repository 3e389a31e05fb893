import type { Prng } from './prng.ts';

/** How a connection ends once its bytes are written. */
export type Ending =
  /** FIN, then wait for the peer to close. */
  | 'end'
  /** TCP RST (a plain destroy over TLS, whose socket cannot reset). */
  | 'reset'
  /** Keep reading with our side open until the peer closes or the linger runs out. */
  | 'linger';

/** One connection's worth of input: what is written, in how many writes, and how it ends. */
export interface FuzzCase {
  /** What produced it, e.g. "h2 frames", "h1 pipelined", "known: RST_STREAM 1 after HEADERS". */
  readonly kind: string;
  /** 'http' cases are HTTP/1 or HTTP/2 bytes; 'transport' cases are garbage below HTTP (TLS records, raw bytes). */
  readonly layer: 'http' | 'transport';
  readonly writes: readonly Buffer[];
  readonly ending: Ending;
}

/** No connection writes more than this: enough for every size edge, bounded for the machine. */
export const MAX_CASE_BYTES = 512 * 1024;

export const ENDINGS: readonly Ending[] = ['end', 'reset', 'linger'];

/**
 * Cuts `bytes` into 1–4 writes at random points, so frames and header lines
 * arrive split across reads as well as several to a read.
 */
export function splitWrites(prng: Prng, bytes: Buffer): Buffer[] {
  if (bytes.length < 2 || prng.chance(0.4)) return [bytes];
  const cuts = new Set<number>();
  const count = prng.int(1, 3);
  for (let i = 0; i < count; i++) cuts.add(prng.int(1, bytes.length - 1));
  const points = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
  const writes: Buffer[] = [];
  for (let i = 1; i < points.length; i++) writes.push(bytes.subarray(points[i - 1], points[i]));
  return writes;
}

/**
 * Random bytes whose first three can read as an SSLv2 ClientHello header
 * (high bit set, message type 1) make OpenSSL wait for the rest of it until
 * its handshake timeout; such a connection tests nothing and only holds a
 * slot. Clearing the high bit keeps them garbage of another kind.
 */
export function notSslv2Hello(bytes: Buffer): Buffer {
  if (bytes.length >= 3 && (bytes[0] as number) & 0x80 && bytes[2] === 0x01) bytes[0] = (bytes[0] as number) & 0x7f;
  return bytes;
}
