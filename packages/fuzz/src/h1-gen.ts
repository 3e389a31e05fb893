import { type FuzzCase, MAX_CASE_BYTES, splitWrites } from './fuzz-case.ts';
import type { Prng } from './prng.ts';
import type { Profile } from './profile.ts';

// HTTP/1 requests with the request line, headers and body framing mutated:
// the smuggling shapes (conflicting lengths, chunk garbage), sizes past every
// limit, pipelining and upgrades.

const METHODS = [
  'GET',
  'POST',
  'PUT',
  'HEAD',
  'OPTIONS',
  'DELETE',
  'PATCH',
  'TRACE',
  'PRI',
  'get',
  'G\tT',
  'X'.repeat(300),
];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/9.9', 'HTTP/1.1 extra', 'HTTX/1.1', ''];
const HOSTILE_PATHS = ['*', '', '/%', '/%zz', '/\u0000', 'http://127.0.0.1/abs', '/a b', '/\u00ff'];
const ODD_HEADERS = [
  'X-Bad\u0000Name: v',
  'X-Bad-Value: a\u0000b',
  ' leading-space: v',
  'no-colon',
  'X-Space : v',
  'X-Folded: a\r\n folded',
  ': empty-name',
  'Expect: 100-continue',
  'Connection: close',
  'Connection: keep-alive, x-fuzz',
  'Host: ',
  'Content-Type: application/grpc',
];
const BAD_CHUNK_SIZES = ['zz', '-1', 'ffffffffffffffffffff', `1;ext=${'e'.repeat(200)}`, ' 5', '0x5', ''];

function body(prng: Prng): { headers: string[]; bytes: string } {
  const data = 'b'.repeat(prng.size(20_000));
  switch (prng.int(0, 7)) {
    case 0:
      return { headers: [], bytes: '' };
    case 1:
      return { headers: [`Content-Length: ${data.length}`], bytes: data };
    case 2:
      // Shorter than announced: the peer must time out or close, not wait forever or crash.
      return { headers: [`Content-Length: ${data.length + prng.int(1, 100_000)}`], bytes: data };
    case 3:
      return { headers: [`Content-Length: ${data.length}`, `Content-Length: ${data.length + 1}`], bytes: data };
    case 4:
      return {
        headers: ['Transfer-Encoding: chunked', `Content-Length: ${prng.int(0, 50)}`],
        bytes: `${data.length.toString(16)}\r\n${data}\r\n0\r\n\r\n`,
      };
    case 5:
      return { headers: ['Transfer-Encoding: chunked'], bytes: `${prng.pick(BAD_CHUNK_SIZES)}\r\n${data}\r\n` };
    case 6:
      return {
        headers: [
          `Transfer-Encoding: ${prng.pick(['gzip, chunked', 'chunked, identity', 'xchunked', 'chunked\u0000'])}`,
        ],
        bytes: `5\r\nhello\r\n0\r\n\r\n`,
      };
    default:
      // Chunked, truncated before the last chunk.
      return { headers: ['Transfer-Encoding: chunked'], bytes: `${data.length.toString(16)}\r\n${data}` };
  }
}

function request(prng: Prng, profile: Profile): string {
  const method = prng.chance(0.85) ? prng.pick(['GET', 'POST']) : prng.pick(METHODS);
  let path = prng.chance(0.8) ? prng.pick(profile.paths) : prng.pick(HOSTILE_PATHS);
  if (prng.chance(0.05)) path = `/${'p'.repeat(prng.size(100_000))}`;
  const version = prng.chance(0.9) ? 'HTTP/1.1' : prng.pick(VERSIONS);
  const lines = [`${method} ${path} ${version}`];
  if (!prng.chance(0.1)) lines.push(`Host: ${prng.pick(profile.authorities)}`);
  if (prng.chance(0.1)) lines.push(`Host: ${prng.pick(profile.authorities)}`);
  const b = body(prng);
  lines.push(...b.headers);
  const extra = prng.chance(0.9) ? prng.int(0, 5) : prng.int(100, 2000);
  for (let i = 0; i < extra; i++) {
    if (prng.chance(0.7))
      lines.push(`X-Fuzz-${i % 50}: ${prng.chance(0.05) ? 'h'.repeat(prng.size(100_000)) : 'value'}`);
    else lines.push(prng.pick(ODD_HEADERS));
  }
  if (prng.chance(0.1)) {
    lines.push('Connection: Upgrade');
    lines.push(`Upgrade: ${prng.pick(['websocket', 'h2c', 'tls/1.3', 'garbage'])}`);
    if (prng.chance(0.5)) lines.push('HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA');
    if (prng.chance(0.5)) lines.push('Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13');
  }
  const eol = prng.chance(0.95) ? '\r\n' : prng.pick(['\n', '\r', '\r\r\n']);
  return `${lines.join(eol)}${eol}${eol}${b.bytes}`;
}

export function h1Case(prng: Prng, profile: Profile): FuzzCase {
  const count = prng.chance(0.8) ? 1 : prng.int(2, 20);
  let text = '';
  for (let i = 0; i < count; i++) text += request(prng, profile);
  let bytes = Buffer.from(text, 'latin1').subarray(0, MAX_CASE_BYTES);
  if (prng.chance(0.15)) bytes = bytes.subarray(0, prng.int(1, bytes.length));
  const kind = count > 1 ? 'h1 pipelined' : 'h1 request';
  return {
    layer: 'http',
    kind,
    writes: splitWrites(prng, bytes),
    ending: prng.pick(['end', 'reset', 'linger', 'linger']),
  };
}
