import { type FuzzCase, notSslv2Hello, splitWrites } from './fuzz-case.ts';
import type { Prng } from './prng.ts';

// Bytes that look like the start of TLS to a protocol detector: records of
// every content type with lying lengths, ClientHello-like handshakes with
// garbage inside, truncated records. Never an SSLv2 hello (see notSslv2Hello).

function record(prng: Prng): Buffer {
  const type = prng.chance(0.7) ? 0x16 : prng.int(0x14, 0x18);
  const version = prng.pick([0x0301, 0x0303, 0x0304, 0x0300, prng.int(0, 0xffff)]);
  let payload: Buffer;
  if (type === 0x16 && prng.chance(0.7)) {
    const hello = prng.bytes(prng.size(2000));
    const declared = prng.chance(0.6) ? hello.length : prng.int(0, 0xffffff);
    payload = Buffer.concat([
      Buffer.from([0x01, (declared >> 16) & 0xff, (declared >> 8) & 0xff, declared & 0xff, 0x03, 0x03]),
      hello,
    ]);
  } else {
    payload = prng.bytes(prng.size(20_000));
  }
  const header = Buffer.alloc(5);
  header[0] = type;
  header.writeUInt16BE(version, 1);
  header.writeUInt16BE(prng.chance(0.7) ? Math.min(payload.length, 0xffff) : prng.int(0, 0xffff), 3);
  return Buffer.concat([header, payload]);
}

export function tlsCase(prng: Prng): FuzzCase {
  const records = Array.from({ length: prng.int(1, 4) }, () => record(prng));
  let bytes = Buffer.concat(records);
  if (prng.chance(0.3)) bytes = bytes.subarray(0, prng.int(1, bytes.length));
  return {
    layer: 'transport',
    kind: 'tls records',
    writes: splitWrites(prng, notSslv2Hello(bytes)),
    ending: prng.pick(['end', 'reset', 'linger']),
  };
}

export function rawCase(prng: Prng): FuzzCase {
  const bytes = notSslv2Hello(prng.bytes(prng.chance(0.05) ? 0 : prng.size(65_536)));
  return {
    layer: 'transport',
    kind: 'raw bytes',
    writes: splitWrites(prng, bytes),
    ending: prng.pick(['end', 'reset', 'linger']),
  };
}
