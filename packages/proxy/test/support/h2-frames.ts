// HTTP/2 frames written by hand, for tests that must send exactly the bytes a
// hostile client would (a well-behaved client library refuses to). Header
// blocks use HPACK literals without Huffman coding, which every decoder takes.

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const FrameType = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, GOAWAY: 7, WINDOW_UPDATE: 8 } as const;
export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const;

export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

/** An HPACK string literal (no Huffman); lengths up to 126 bytes. */
function literal(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  if (bytes.length > 126) throw new Error('header literal too long for this helper');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

/** Header block of literal fields without indexing (new names), so no decoder state carries between blocks. */
export function headerBlock(headers: Readonly<Record<string, string>>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) parts.push(Buffer.from([0x00]), literal(name), literal(value));
  return Buffer.concat(parts);
}

export function settings(): Buffer {
  return frame(FrameType.SETTINGS, 0, 0);
}

export function headers(streamId: number, fields: Readonly<Record<string, string>>, endStream: boolean): Buffer {
  const flags = Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0);
  return frame(FrameType.HEADERS, flags, streamId, headerBlock(fields));
}

export function data(streamId: number, body: Buffer | string, endStream: boolean): Buffer {
  return frame(FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId, Buffer.from(body));
}

export function rstStream(streamId: number, errorCode: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(errorCode);
  return frame(FrameType.RST_STREAM, 0, streamId, payload);
}

export function windowUpdate(streamId: number, increment: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment & 0x7fffffff);
  return frame(FrameType.WINDOW_UPDATE, 0, streamId, payload);
}

/** A GET on `streamId` with the pseudo-headers every request needs. */
export function get(streamId: number, authority: string, path = '/', endStream = true): Buffer {
  return headers(streamId, { ':method': 'GET', ':scheme': 'http', ':authority': authority, ':path': path }, endStream);
}

/** The start of every client connection: preface and an empty SETTINGS. */
export function opening(): Buffer {
  return Buffer.concat([PREFACE, settings()]);
}
