// Protocol detection on the first bytes of a connection, as linkerd2-proxy
// does it: the HTTP/2 preface, an HTTP/1 request line, a TLS record header,
// or anything else (opaque TCP). Pure, so hostile bytes are easy to test.

export type Protocol = 'h2' | 'http1' | 'tls' | 'opaque';

/** Detection gives up reading after this many bytes and calls it opaque. */
export const DETECT_MAX_BYTES = 1024;

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const REQUEST_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^\s]+ HTTP\/1\.[01]\r?$/;
const TOKEN_START = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}(?: [^\s]*(?: [HTP/0-9.\r]*)?)?$/;

/** Returns the protocol, or undefined when more bytes are needed to decide. */
export function classify(buf: Buffer): Protocol | undefined {
  if (buf.length === 0) return undefined;
  if (buf[0] === 0x16) {
    // A TLS handshake record: content type 22, then version 3.x.
    if (buf.length < 2) return undefined;
    return buf[1] === 0x03 ? 'tls' : 'opaque';
  }
  const n = Math.min(buf.length, H2_PREFACE.length);
  if (buf.compare(H2_PREFACE, 0, n, 0, n) === 0) {
    // "PRI * HTTP/2.0" could still be a (strange) HTTP/1 line until the preface is whole.
    if (buf.length >= H2_PREFACE.length) return 'h2';
    return undefined;
  }
  const limit = Math.min(buf.length, DETECT_MAX_BYTES);
  const nl = buf.indexOf(0x0a);
  if (nl !== -1 && nl < limit) {
    return REQUEST_LINE.test(buf.toString('latin1', 0, nl)) ? 'http1' : 'opaque';
  }
  if (buf.length >= DETECT_MAX_BYTES) return 'opaque';
  return TOKEN_START.test(buf.toString('latin1', 0, limit)) ? undefined : 'opaque';
}
