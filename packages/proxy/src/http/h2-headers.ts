import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { isStripped } from './headers.ts';

// Header translation for HTTP/1 requests carried over HTTP/2 between proxies
// (Linkerd's orig-proto upgrade). Names become lower case, as HTTP/2 requires;
// connection-specific headers are dropped; the original version travels in
// weft-orig-proto and the far proxy restores HTTP/1 from it.

export const ORIG_PROTO_HEADER = 'weft-orig-proto';

// Connection-specific in HTTP/1 and forbidden in HTTP/2 (RFC 9113 §8.2.2).
const CONNECTION_SPECIFIC = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'host',
]);

function connectionListed(raw: readonly string[]): Set<string> | undefined {
  let listed: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).length !== 10 || (raw[i] as string).toLowerCase() !== 'connection') continue;
    for (const token of (raw[i + 1] as string).split(',')) {
      const t = token.trim().toLowerCase();
      if (t === '') continue;
      listed ??= new Set();
      listed.add(t);
    }
  }
  return listed;
}

/** HTTP/1 raw headers → HTTP/2 header object (repeated names become arrays). */
export function rawToH2(
  raw: readonly string[],
  into: OutgoingHttpHeaders,
  strip: string | undefined,
): OutgoingHttpHeaders {
  const listed = connectionListed(raw);
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (CONNECTION_SPECIFIC.has(name) || isStripped(name, strip) || listed?.has(name)) continue;
    const value = raw[i + 1] as string;
    const prev = into[name];
    if (prev === undefined) into[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else into[name] = [String(prev), value];
  }
  return into;
}

/** HTTP/2 header object → HTTP/1 raw headers, without pseudo-headers and those `strip` names (isStripped). */
export function h2ToRaw(headers: IncomingHttpHeaders, strip: string | undefined, out: string[]): string[] {
  for (const name in headers) {
    if (name.charCodeAt(0) === 58 /* : */ || isStripped(name, strip) || name === ORIG_PROTO_HEADER) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const v of value) out.push(name, v);
    } else out.push(name, value);
  }
  return out;
}
