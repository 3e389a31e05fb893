import { ERROR_CODES, identityError } from '../errors.ts';

// A small DER encoder and reader, enough for X.509 certificates and PKCS#10
// requests. Issuing certificates is the CA's hot loop; building the few
// structures by hand and signing with node:crypto is several times faster
// than a general ASN.1 schema library and has no dependencies.

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One tag-length-value with the given content. */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = content.length === 1 ? (content[0] as Buffer) : Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const sequence = (...items: Buffer[]): Buffer => tlv(TAG.SEQUENCE, ...items);
export const set = (...items: Buffer[]): Buffer => tlv(TAG.SET, ...items);
export const octetString = (bytes: Buffer): Buffer => tlv(TAG.OCTET_STRING, bytes);
export const bitString = (bytes: Buffer): Buffer => tlv(TAG.BIT_STRING, Buffer.from([0]), bytes);
export const utf8String = (text: string): Buffer => tlv(TAG.UTF8_STRING, Buffer.from(text, 'utf8'));
export const booleanTrue = (): Buffer => Buffer.from([TAG.BOOLEAN, 1, 0xff]);
/** `[n] EXPLICIT`: a constructed context tag wrapping a whole TLV. */
export const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);
/** `[n] IMPLICIT` on a primitive type: the context tag replaces the type's own. */
export const implicitPrimitive = (n: number, bytes: Buffer): Buffer => tlv(0x80 | n, bytes);

const evenHex = (n: number): string => {
  const hex = n.toString(16);
  return hex.length % 2 ? `0${hex}` : hex;
};

/** A non-negative INTEGER from big-endian magnitude bytes (a serial number) or a small number. */
export function integer(value: Buffer | number): Buffer {
  let bytes = typeof value === 'number' ? Buffer.from(evenHex(value), 'hex') : value;
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  // A set high bit would read as negative; DER adds one zero byte in front.
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.INTEGER, bytes);
}

const oidCache = new Map<string, Buffer>();

export function oid(dotted: string): Buffer {
  const cached = oidCache.get(dotted);
  if (cached) return cached;
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const body: number[] = [first * 40 + second];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift((n & 0x7f) | 0x80);
    body.push(...chunk);
  }
  const encoded = tlv(TAG.OID, Buffer.from(body));
  oidCache.set(dotted, encoded);
  return encoded;
}

const pad2 = (n: number): string => n.toString().padStart(2, '0');

/** RFC 5280: UTCTime for years 1950–2049, GeneralizedTime otherwise, always UTC to the second. */
export function time(date: Date): Buffer {
  const y = date.getUTCFullYear();
  const rest = `${pad2(date.getUTCMonth() + 1)}${pad2(date.getUTCDate())}${pad2(date.getUTCHours())}${pad2(date.getUTCMinutes())}${pad2(date.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(TAG.UTC_TIME, Buffer.from(`${pad2(y % 100)}${rest}`, 'latin1'));
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(`${y.toString().padStart(4, '0')}${rest}`, 'latin1'));
}

// === reader ===

/** One parsed TLV: `raw` is the whole encoding, `content` the value bytes. */
export interface DerNode {
  readonly tag: number;
  readonly raw: Buffer;
  readonly content: Buffer;
}

function malformed(message: string): Error {
  return identityError(ERROR_CODES.MALFORMED_DER, `malformed DER: ${message}`);
}

/** Reads the TLV at `offset`. Rejects indefinite lengths and anything that runs past the buffer. */
export function readNode(buf: Buffer, offset = 0): DerNode {
  if (offset + 2 > buf.length) throw malformed('truncated header');
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw malformed('multi-byte tags are not used here');
  let length = buf[offset + 1] as number;
  let headerLength = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw malformed('unsupported length encoding');
    if (offset + 2 + count > buf.length) throw malformed('truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buf[offset + 2 + i] as number);
    headerLength += count;
  }
  const end = offset + headerLength + length;
  if (end > buf.length) throw malformed('value runs past the end of the input');
  return { tag, raw: buf.subarray(offset, end), content: buf.subarray(offset + headerLength, end) };
}

/** Reads a buffer that must hold exactly one TLV. */
export function readOnly(buf: Buffer): DerNode {
  const node = readNode(buf);
  if (node.raw.length !== buf.length) throw malformed('trailing bytes after the value');
  return node;
}

/** The TLVs inside a constructed value. */
export function children(node: DerNode): DerNode[] {
  if ((node.tag & 0x20) === 0) throw malformed(`tag 0x${node.tag.toString(16)} is not constructed`);
  const out: DerNode[] = [];
  for (let offset = 0; offset < node.content.length; ) {
    const child = readNode(node.content, offset);
    out.push(child);
    offset += child.raw.length;
  }
  return out;
}

export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node || node.tag !== tag) throw malformed(`expected ${what}`);
  return node;
}

export function decodeOid(node: DerNode): string {
  expectTag(node, TAG.OID, 'an OBJECT IDENTIFIER');
  const bytes = node.content;
  if (bytes.length === 0) throw malformed('empty OBJECT IDENTIFIER');
  const first = bytes[0] as number;
  const arcs = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let value = 0;
  for (let i = 1; i < bytes.length; i++) {
    const b = bytes[i] as number;
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

/** The bytes of a BIT STRING with no unused bits (keys and signatures). */
export function decodeBitString(node: DerNode): Buffer {
  expectTag(node, TAG.BIT_STRING, 'a BIT STRING');
  if (node.content[0] !== 0) throw malformed('BIT STRING with unused bits');
  return node.content.subarray(1);
}
