import type { EndpointMeta, Update } from './update.ts';
import { endpointKey } from './update.ts';

// The few destination.proto messages the proxy exchanges, encoded and decoded
// by hand: a sidecar should not carry a general protobuf runtime (tens of MB
// of RSS) for one request type and one response type. Unknown fields are
// skipped, as protobuf requires.

export class Reader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;
  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    while (this.pos < this.end) {
      const b = this.buf[this.pos++] as number;
      if (shift < 49) result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    throw new Error('truncated varint');
  }

  /** A length-delimited field as a sub-reader. */
  sub(): Reader {
    const len = this.varint();
    if (this.pos + len > this.end) throw new Error('truncated field');
    const r = new Reader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }

  string(): string {
    const r = this.sub();
    return this.buf.toString('utf8', r.pos, r.end);
  }

  /** A `float` field (wire type 5). */
  float32(): number {
    if (this.pos + 4 > this.end) throw new Error('truncated float');
    const value = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return value;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.sub();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }

  /** Calls `field(number, wireType)` for each field; it must consume the value or return false to skip it. */
  fields(field: (n: number, wireType: number) => boolean): void {
    while (this.pos < this.end) {
      const tag = this.varint();
      const wireType = tag & 7;
      if (!field(Math.floor(tag / 8), wireType)) this.skip(wireType);
    }
  }
}

/** A google.protobuf.Duration in milliseconds. */
export function durationMs(r: Reader): number {
  let seconds = 0;
  let nanos = 0;
  r.fields((n, w) => {
    if (w !== 0) return false;
    if (n === 1) seconds = r.varint();
    else if (n === 2) nanos = r.varint();
    else return false;
    return true;
  });
  return seconds * 1000 + Math.round(nanos / 1e6);
}

function mapEntry(r: Reader, into: Record<string, string>, prefix: string): void {
  let key = '';
  let value = '';
  r.fields((n, w) => {
    if (w !== 2) return false;
    if (n === 1) key = r.string();
    else if (n === 2) value = r.string();
    else return false;
    return true;
  });
  into[prefix + key] = value;
}

function tcpAddress(r: Reader): { ip: string; port: number } {
  let ip = '';
  let port = 0;
  r.fields((n, w) => {
    if (n === 1 && w === 2) ip = r.string();
    else if (n === 2 && w === 0) port = r.varint();
    else return false;
    return true;
  });
  return { ip, port };
}

/** A WeightedAddr, labels prefixed `dst_` after the set's; undefined without an address to connect to. */
export function weightedAddr(r: Reader, setLabels: Record<string, string>): EndpointMeta | undefined {
  let addr = { ip: '', port: 0 };
  let weight = 0;
  const labels: Record<string, string> = { ...setLabels };
  let name = '';
  let serverName = '';
  let opaque = false;
  r.fields((n, w) => {
    if (n === 1 && w === 2) addr = tcpAddress(r.sub());
    else if (n === 2 && w === 0) weight = r.varint();
    else if (n === 3 && w === 2) mapEntry(r.sub(), labels, 'dst_');
    else if (n === 4 && w === 2) {
      const id = r.sub();
      id.fields((m, v) => {
        if (v !== 2) return false;
        if (m === 1) name = id.string();
        else if (m === 2) serverName = id.string();
        else return false;
        return true;
      });
    } else if (n === 5 && w === 2) {
      const hint = r.sub();
      hint.fields((m, v) => {
        if (m === 2 && v === 2) {
          hint.sub();
          opaque = true;
          return true;
        }
        return false;
      });
    } else return false;
    return true;
  });
  if (!addr.ip || !addr.port) return undefined;
  return {
    key: endpointKey(addr.ip, addr.port),
    host: addr.ip,
    port: addr.port,
    weight: weight || 10_000,
    labels,
    tls: name ? { name, serverName: serverName || name } : undefined,
    opaque,
  };
}

function addSet(r: Reader): EndpointMeta[] {
  // Set-level labels may come after the addresses on the wire: read them first.
  const setLabels: Record<string, string> = {};
  const start = r.pos;
  r.fields((n, w) => {
    if (n === 2 && w === 2) {
      mapEntry(r.sub(), setLabels, 'dst_');
      return true;
    }
    return false;
  });
  r.pos = start;
  const out: EndpointMeta[] = [];
  r.fields((n, w) => {
    if (n !== 1 || w !== 2) return false;
    const e = weightedAddr(r.sub(), setLabels);
    if (e) out.push(e);
    return true;
  });
  return out;
}

/** Decodes a weft.destination.Update; `first` turns the first answer of a stream into a reset. */
export function decodeUpdate(buf: Buffer, first: boolean): Update | undefined {
  const r = new Reader(buf);
  let update: Update | undefined;
  r.fields((n, w) => {
    if (w !== 2) return false;
    if (n === 1) {
      const endpoints = addSet(r.sub());
      update = { kind: first ? 'reset' : 'add', endpoints };
    } else if (n === 2) {
      const set = r.sub();
      const keys: string[] = [];
      set.fields((m, v) => {
        if (m !== 1 || v !== 2) return false;
        const a = tcpAddress(set.sub());
        keys.push(endpointKey(a.ip, a.port));
        return true;
      });
      update = first ? { kind: 'reset', endpoints: [] } : { kind: 'remove', keys };
    } else if (n === 3) {
      const ne = r.sub();
      let exists = false;
      ne.fields((m, v) => {
        if (m !== 1 || v !== 0) return false;
        exists = ne.varint() !== 0;
        return true;
      });
      update = exists ? { kind: 'reset', endpoints: [] } : { kind: 'doesNotExist' };
    } else return false;
    return true;
  });
  return update;
}

export function stringField(n: number, value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const head: number[] = [(n << 3) | 2];
  let len = bytes.length;
  while (len >= 0x80) {
    head.push((len & 0x7f) | 0x80);
    len >>>= 7;
  }
  head.push(len);
  return Buffer.concat([Buffer.from(head), bytes]);
}

/** Encodes a weft.destination.GetDestination. */
export function encodeGetDestination(scheme: string, path: string, contextToken: string): Buffer {
  return Buffer.concat([stringField(1, scheme), stringField(2, path), stringField(3, contextToken)]);
}
