import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classify } from './classify.ts';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('classify', () => {
  it('recognises the HTTP/2 preface only when it is whole', () => {
    expect(classify(b('PRI * HTTP/2.0\r\n'))).toBeUndefined();
    expect(classify(b('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'))).toBe('h2');
  });

  it('recognises an HTTP/1 request line, waiting for its end', () => {
    expect(classify(b('GET /index.html HT'))).toBeUndefined();
    expect(classify(b('GET /index.html HTTP/1.1\r\nHost: a\r\n'))).toBe('http1');
    expect(classify(b('PROPFIND /x HTTP/1.0\r\n'))).toBe('http1');
  });

  it('recognises a TLS handshake record', () => {
    expect(classify(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]))).toBe('tls');
  });

  it('calls everything else opaque', () => {
    expect(classify(b('SSH-2.0-OpenSSH_9.2\r\n'))).toBe('opaque');
    expect(classify(b('GET / HTTP/3.0\r\n'))).toBe('opaque');
    expect(classify(b('\u0000\u0001binary'))).toBe('opaque');
    expect(classify(b(`GET /${'a'.repeat(2000)}`))).toBe('opaque');
  });

  it('decides on any random input without throwing', () => {
    for (let i = 0; i < 2000; i++) {
      const out = classify(randomBytes(1 + (i % 300)));
      expect([undefined, 'h2', 'http1', 'tls', 'opaque']).toContain(out);
    }
  });
});
