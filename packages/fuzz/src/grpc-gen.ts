import { type FuzzCase, MAX_CASE_BYTES, splitWrites } from './fuzz-case.ts';
import { Flag, FrameType, frame, headerBlock, PREFACE, rstStream, settings, u32 } from './h2-frames.ts';
import type { Prng } from './prng.ts';
import type { Profile } from './profile.ts';

// gRPC calls whose framing is right and whose messages are protobuf-shaped
// nonsense: random fields of every wire type, strings from the listener's own
// vocabulary (authorities, workload JSON) and their edges. These get past the
// HTTP/2 and gRPC layers into the service's handlers, where random bytes
// never arrive.

const STRINGS = [
  '{"ns":"fuzz","pod":"web-0"}',
  '{"ns":"fuzz"}',
  '{"ns":1,"pod":[]}',
  '{',
  'null',
  '',
  ':',
  ':99999999',
  'web-svc.fuzz.svc.cluster.local:0',
  'web-svc.fuzz.svc.cluster.local:65536',
  '..svc.cluster.local:80',
  'web.fuzz.serviceaccount.identity.weft-system.cluster.local',
  '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n',
];

function varint(value: bigint): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return Buffer.from(out);
}

function field(prng: Prng, profile: Profile, depth: number): Buffer {
  const number = prng.chance(0.9) ? prng.int(1, 8) : prng.int(9, 536_870_911);
  const wire = prng.chance(0.95) ? prng.pick([0, 0, 2, 2, 2, 1, 5]) : prng.pick([3, 4, 6, 7]);
  const key = varint(BigInt(number) * 8n + BigInt(wire));
  switch (wire) {
    case 0:
      return Buffer.concat([key, varint(prng.chance(0.7) ? BigInt(prng.int(0, 70_000)) : BigInt(prng.next()) << 32n)]);
    case 1:
      return Buffer.concat([key, prng.bytes(8)]);
    case 5:
      return Buffer.concat([key, prng.bytes(4)]);
    case 2: {
      let body: Buffer;
      if (depth < 3 && prng.chance(0.2)) body = message(prng, profile, depth + 1);
      else if (prng.chance(0.6)) body = Buffer.from(prng.pick([...STRINGS, ...profile.authorities]), 'utf8');
      else if (prng.chance(0.1)) body = Buffer.alloc(prng.size(200_000), 0x61);
      else body = prng.bytes(prng.size(300));
      const declared = prng.chance(0.9) ? body.length : prng.int(0, 0x7fffffff);
      return Buffer.concat([key, varint(BigInt(declared)), body]);
    }
    default:
      return Buffer.concat([key, prng.bytes(prng.int(0, 8))]);
  }
}

function message(prng: Prng, profile: Profile, depth = 0): Buffer {
  return Buffer.concat(Array.from({ length: prng.int(0, 6) }, () => field(prng, profile, depth)));
}

/** One length-prefixed gRPC message (compressed flag, 4-byte length), now and then lying about either. */
function grpcMessage(prng: Prng, profile: Profile): Buffer {
  const body = message(prng, profile);
  const compressed = prng.chance(0.95) ? 0 : prng.int(1, 255);
  const length = prng.chance(0.9) ? body.length : prng.next();
  return Buffer.concat([Buffer.from([compressed]), u32(length), body]);
}

export function grpcCase(prng: Prng, profile: Profile): FuzzCase {
  const parts: Buffer[] = [PREFACE, settings([])];
  const calls = prng.chance(0.8) ? prng.int(1, 3) : prng.int(4, 100);
  for (let c = 0; c < calls; c++) {
    const id = 1 + 2 * c;
    const headers: [string, string][] = [
      [':method', 'POST'],
      [':scheme', 'http'],
      [':path', prng.pick(profile.paths)],
      [':authority', prng.pick(profile.authorities)],
      ['content-type', 'application/grpc'],
      ['te', 'trailers'],
    ];
    if (prng.chance(0.2)) headers.push(['grpc-timeout', prng.pick(['1n', '0S', '99999999H', 'x', '-1m'])]);
    if (prng.chance(0.1)) headers.push(['grpc-encoding', prng.pick(['gzip', 'identity', 'bogus'])]);
    parts.push(frame(FrameType.HEADERS, Flag.END_HEADERS, id, headerBlock(headers)));
    const messages = prng.chance(0.9) ? 1 : prng.int(0, 5);
    const payload = Buffer.concat(Array.from({ length: messages }, () => grpcMessage(prng, profile)));
    // The messages cut at random DATA boundaries, the last one ending the stream (mostly).
    let offset = 0;
    do {
      const end = Math.min(payload.length, offset + prng.int(1, Math.max(1, payload.length)));
      const last = end === payload.length;
      parts.push(
        frame(FrameType.DATA, last && prng.chance(0.85) ? Flag.END_STREAM : 0, id, payload.subarray(offset, end)),
      );
      offset = end;
    } while (offset < payload.length);
    if (prng.chance(0.15)) parts.push(rstStream(id, prng.int(0, 13)));
  }
  const bytes = Buffer.concat(parts).subarray(0, MAX_CASE_BYTES);
  return {
    layer: 'http',
    kind: 'grpc calls',
    writes: splitWrites(prng, bytes),
    ending: prng.pick(['linger', 'linger', 'end', 'reset']),
  };
}
