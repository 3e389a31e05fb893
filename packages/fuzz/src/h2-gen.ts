import { type FuzzCase, MAX_CASE_BYTES, splitWrites } from './fuzz-case.ts';
import {
  Flag,
  FrameType,
  frame,
  headerBlock,
  hpackInt,
  PREFACE,
  rstStream,
  settings,
  u32,
  windowUpdate,
} from './h2-frames.ts';
import type { Prng } from './prng.ts';
import type { Profile } from './profile.ts';

// HTTP/2 connections: the preface and SETTINGS, then frames that are mostly
// well formed with one or two fields wrong, the shapes a buggy or hostile
// client sends.

const ODD_NAMES = [
  'connection',
  'te',
  'transfer-encoding',
  'upgrade',
  'X-Upper',
  '',
  ':bogus',
  'a b',
  'content-length',
];
const ODD_VALUES = [
  '',
  ' ',
  'trailers',
  'keep-alive',
  '-1',
  '99999999999999999999',
  '\u0000',
  'a\r\nb: c',
  '\u00ff\u00fe',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'HEAD', '', 'G E T'];
const HOSTILE_PATHS = ['', '*', '//', '/%00', '/..%2f..%2f', 'relative', `/${'a'.repeat(9000)}`];

/** A request's header list before encoding: pseudo-headers (sometimes missing, repeated or odd) and extras. */
export function headerList(prng: Prng, profile: Profile, streamHasBody: boolean): [string | Buffer, string | Buffer][] {
  const headers: [string | Buffer, string | Buffer][] = [];
  if (!prng.chance(0.05))
    headers.push([':method', prng.chance(0.85) ? (streamHasBody ? 'POST' : 'GET') : prng.pick(METHODS)]);
  if (!prng.chance(0.05)) headers.push([':scheme', prng.pick(['http', 'https', 'ftp', ''])]);
  if (!prng.chance(0.05))
    headers.push([':path', prng.chance(0.8) ? prng.pick(profile.paths) : prng.pick(HOSTILE_PATHS)]);
  if (!prng.chance(0.1)) headers.push([':authority', prng.pick(profile.authorities)]);
  if (prng.chance(0.4))
    headers.push(['content-type', prng.pick(['application/grpc', 'application/grpc+proto', 'text/plain'])]);
  if (prng.chance(0.3)) headers.push(['te', 'trailers']);
  const extra = prng.chance(0.9) ? prng.int(0, 6) : prng.int(50, 400);
  for (let i = 0; i < extra; i++) {
    const name = prng.chance(0.7) ? `x-fuzz-${prng.int(0, 20)}` : prng.pick(ODD_NAMES);
    const value = prng.chance(0.1) ? 'v'.repeat(prng.size(70_000)) : prng.chance(0.7) ? 'value' : prng.pick(ODD_VALUES);
    headers.push([name, value]);
  }
  if (prng.chance(0.2))
    headers.splice(prng.int(0, headers.length), 0, [prng.pick([':method', ':path', ':status']), 'x']);
  if (prng.chance(0.1)) headers.push([prng.bytes(prng.size(300)), prng.bytes(prng.size(300))]);
  return headers;
}

/** A header block as HEADERS plus CONTINUATIONs, sometimes with raw garbage or a bad HPACK prefix. */
function headersFrames(prng: Prng, profile: Profile, streamId: number, endStream: boolean): Buffer[] {
  let block = headerBlock(headerList(prng, profile, !endStream));
  if (prng.chance(0.1))
    block = Buffer.concat([
      prng.pick([hpackInt(70, 7, 0x80), hpackInt(1 << 20, 5, 0x20), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]),
      block,
    ]);
  if (prng.chance(0.05)) block = prng.bytes(prng.size(2000));
  const flags = endStream ? Flag.END_STREAM : 0;
  if (block.length < 32 || prng.chance(0.7))
    return [frame(FrameType.HEADERS, flags | (prng.chance(0.97) ? Flag.END_HEADERS : 0), streamId, block)];
  const frames: Buffer[] = [];
  let offset = prng.int(1, block.length - 1);
  frames.push(frame(FrameType.HEADERS, flags, streamId, block.subarray(0, offset)));
  while (offset < block.length) {
    const next = Math.min(block.length, offset + prng.int(1, Math.max(1, block.length >> 1)));
    const last = next === block.length;
    // Now and then a CONTINUATION for another stream, or an unrelated frame in between.
    const id = prng.chance(0.05) ? streamId + 2 : streamId;
    if (prng.chance(0.05)) frames.push(frame(FrameType.PING, 0, 0, Buffer.alloc(8)));
    frames.push(
      frame(FrameType.CONTINUATION, last && prng.chance(0.95) ? Flag.END_HEADERS : 0, id, block.subarray(offset, next)),
    );
    offset = next;
  }
  return frames;
}

function streamIdFor(prng: Prng, opened: number[]): number {
  if (opened.length > 0 && prng.chance(0.6)) return prng.pick(opened);
  return prng.pick([0, 2, 0x7fffffff, 0xffffffff, (opened.at(-1) ?? 1) + 2]);
}

/** One frame after the stream's HEADERS: any type, fields drawn from their edges. */
function anyFrame(prng: Prng, profile: Profile, opened: number[]): Buffer[] {
  const id = streamIdFor(prng, opened);
  switch (prng.int(0, 11)) {
    case 0: {
      const grpc = prng.chance(0.5);
      const body = prng.bytes(prng.size(70_000));
      const payload = grpc
        ? Buffer.concat([Buffer.from([prng.int(0, 2)]), u32(prng.chance(0.7) ? body.length : prng.next()), body])
        : body;
      return [frame(FrameType.DATA, prng.chance(0.5) ? Flag.END_STREAM : 0, id, payload)];
    }
    case 1:
      return [
        frame(
          FrameType.DATA,
          Flag.PADDED,
          id,
          Buffer.concat([Buffer.from([prng.int(0, 255)]), prng.bytes(prng.int(0, 8))]),
        ),
      ];
    case 2:
      return [rstStream(id, prng.chance(0.7) ? prng.int(0, 13) : prng.next())];
    case 3:
      return [windowUpdate(id, prng.pick([0, 1, 65535, 0x7fffffff, 0x80000000, prng.next()]))];
    case 4:
      return [
        frame(
          FrameType.PING,
          prng.chance(0.2) ? Flag.ACK : 0,
          prng.chance(0.9) ? 0 : id,
          prng.bytes(prng.chance(0.9) ? 8 : prng.int(0, 16)),
        ),
      ];
    case 5:
      return [
        frame(
          FrameType.GOAWAY,
          0,
          prng.chance(0.9) ? 0 : id,
          Buffer.concat([u32(prng.next()), u32(prng.int(0, 13)), prng.bytes(prng.size(100))]),
        ),
      ];
    case 6:
      // PRIORITY, sometimes on itself (a stream that depends on itself is a stream error).
      return [
        frame(
          FrameType.PRIORITY,
          0,
          id,
          Buffer.concat([u32(prng.chance(0.3) ? id : prng.next()), Buffer.from([prng.int(0, 255)])]),
          prng.chance(0.9) ? undefined : prng.int(0, 10),
        ),
      ];
    case 7:
      return [
        settings(
          Array.from(
            { length: prng.int(0, 6) },
            () =>
              [prng.int(0, 9), prng.pick([0, 1, 16383, 16384, 16777215, 16777216, 0x7fffffff, 0xffffffff])] as const,
          ),
        ),
      ];
    case 8:
      return [frame(FrameType.SETTINGS, Flag.ACK, 0, prng.chance(0.8) ? Buffer.alloc(0) : prng.bytes(6))];
    case 9:
      return headersFrames(prng, profile, id, prng.chance(0.5));
    case 10:
      // Types the protocol does not define must be ignored; PUSH_PROMISE from a client is a connection error.
      return [
        frame(
          prng.chance(0.5) ? prng.int(10, 255) : FrameType.PUSH_PROMISE,
          prng.int(0, 255),
          id,
          prng.bytes(prng.size(500)),
        ),
      ];
    default:
      // A frame that lies about its length.
      return [
        frame(
          prng.int(0, 9),
          prng.int(0, 255),
          id,
          prng.bytes(prng.size(100)),
          prng.chance(0.5) ? prng.int(0, 0xffffff) : prng.int(0, 20),
        ),
      ];
  }
}

export function h2Case(prng: Prng, profile: Profile): FuzzCase {
  const parts: Buffer[] = [prng.chance(0.97) ? PREFACE : PREFACE.subarray(0, prng.int(0, PREFACE.length))];
  parts.push(prng.chance(0.8) ? settings([]) : settings([[prng.int(1, 6), prng.pick([0, 1, 0xffffffff, 16777216])]]));
  const opened: number[] = [];
  const streams = prng.chance(0.8) ? prng.int(1, 4) : prng.int(5, 200);
  for (let s = 0; s < streams; s++) {
    const id = 1 + 2 * s;
    opened.push(id);
    parts.push(...headersFrames(prng, profile, id, prng.chance(0.4)));
    const after = prng.int(0, 4);
    for (let i = 0; i < after; i++) parts.push(...anyFrame(prng, profile, opened));
  }
  let bytes = Buffer.concat(parts).subarray(0, MAX_CASE_BYTES);
  // A truncated last frame.
  if (prng.chance(0.15)) bytes = bytes.subarray(0, prng.int(PREFACE.length, bytes.length));
  return {
    layer: 'http',
    kind: 'h2 frames',
    writes: splitWrites(prng, bytes),
    ending: prng.pick(['end', 'reset', 'linger', 'linger']),
  };
}
