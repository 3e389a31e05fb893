// HTTP/2 framing (RFC 9113 §4) and the HPACK forms (RFC 7541) the generator
// needs: written by hand, so any field can be made wrong on purpose.

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

/** One frame; `length` overrides the payload's real length to make a frame that lies about its size. */
export function frame(type: number, flags: number, streamId: number, payload: Buffer, length?: number): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE((length ?? payload.length) & 0xffffff, 0, 3);
  header[3] = type & 0xff;
  header[4] = flags & 0xff;
  header.writeUInt32BE(streamId >>> 0, 5);
  return Buffer.concat([header, payload]);
}

export function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

export function settings(pairs: readonly (readonly [number, number])[]): Buffer {
  const payload = Buffer.alloc(pairs.length * 6);
  pairs.forEach(([id, value], i) => {
    payload.writeUInt16BE(id & 0xffff, i * 6);
    payload.writeUInt32BE(value >>> 0, i * 6 + 2);
  });
  return frame(FrameType.SETTINGS, 0, 0, payload);
}

export function rstStream(streamId: number, code: number): Buffer {
  return frame(FrameType.RST_STREAM, 0, streamId, u32(code));
}

export function windowUpdate(streamId: number, increment: number): Buffer {
  return frame(FrameType.WINDOW_UPDATE, 0, streamId, u32(increment));
}

/** An HPACK integer with an n-bit prefix whose high bits are `first` (RFC 7541 §5.1). */
export function hpackInt(value: number, prefixBits: number, first = 0): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([first | value]);
  const out = [first | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Buffer.from(out);
}

function hpackString(text: Buffer): Buffer {
  return Buffer.concat([hpackInt(text.length, 7), text]);
}

/** A literal header field without indexing, new name (RFC 7541 §6.2.2). */
export function literal(name: string | Buffer, value: string | Buffer): Buffer {
  const bytes = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
  return Buffer.concat([Buffer.from([0x00]), hpackString(bytes(name)), hpackString(bytes(value))]);
}

/** A header block of literals only, in order. */
export function headerBlock(headers: readonly (readonly [string | Buffer, string | Buffer])[]): Buffer {
  return Buffer.concat(headers.map(([name, value]) => literal(name, value)));
}

/** A request's HEADERS frame with END_HEADERS, and END_STREAM when `endStream`. */
export function requestHeaders(
  streamId: number,
  headers: readonly (readonly [string, string])[],
  endStream: boolean,
): Buffer {
  const flags = Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0);
  return frame(FrameType.HEADERS, flags, streamId, headerBlock(headers));
}
