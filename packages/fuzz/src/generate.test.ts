import { describe, expect, it } from 'vitest';
import { MAX_CASE_BYTES } from './fuzz-case.ts';
import { generateCase } from './generate.ts';
import { PREFACE } from './h2-frames.ts';
import { headerList } from './h2-gen.ts';
import { caseSeed, Prng } from './prng.ts';

const PROFILE = { authorities: ['127.0.0.1:8080', 'fuzz.invalid:80'], paths: ['/', '/metrics'] };
const bytesOf = (seed: number) => Buffer.concat(generateCase(seed, PROFILE).writes);

describe('the case generator', () => {
  it('gives the same bytes, writes and ending for the same seed, so a printed seed replays', () => {
    for (let i = 0; i < 50; i++) {
      const seed = caseSeed(1234, 'proxy-inbound', i);
      const a = generateCase(seed, PROFILE);
      const b = generateCase(seed, PROFILE);
      expect(b.kind).toBe(a.kind);
      expect(b.ending).toBe(a.ending);
      expect(b.writes.map((w) => w.toString('hex'))).toEqual(a.writes.map((w) => w.toString('hex')));
    }
  });

  it('gives different inputs for different seeds and targets', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(bytesOf(caseSeed(7, 'proxy-admin', i)).toString('hex'));
    expect(seen.size).toBeGreaterThan(95);
    expect(caseSeed(7, 'proxy-admin', 0)).not.toBe(caseSeed(7, 'proxy-tap', 0));
  });

  it('draws every kind, bounds every case, and never writes an SSLv2 hello header', () => {
    const kinds = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const c = generateCase(caseSeed(99, 'any', i), PROFILE);
      kinds.add(c.kind);
      const bytes = Buffer.concat(c.writes);
      expect(bytes.length).toBeLessThanOrEqual(MAX_CASE_BYTES);
      if (c.layer === 'transport' && bytes.length >= 3)
        expect((bytes[0] as number) & 0x80 && bytes[2] === 1).toBeFalsy();
      if (c.kind === 'h2 frames' && bytes.length >= PREFACE.length) {
        // Nearly all start with the real preface, so the frames after it reach the HTTP/2 parser.
        kinds.add(bytes.subarray(0, PREFACE.length).equals(PREFACE) ? 'h2 with preface' : 'h2 with a cut preface');
      }
    }
    expect([...kinds].sort()).toEqual(
      [
        'grpc calls',
        'h1 pipelined',
        'h1 request',
        'h2 frames',
        'h2 with a cut preface',
        'h2 with preface',
        'raw bytes',
        'tls records',
      ].sort(),
    );
  });

  it('keeps :authority and Host to the profile, so a forwarding proxy reaches nothing off loopback', () => {
    for (let i = 0; i < 300; i++) {
      const text = bytesOf(caseSeed(5, 'proxy-outbound', i)).toString('latin1');
      for (const m of text.matchAll(/\r\nHost: ([^\r\n]*)/g)) expect([...PROFILE.authorities, '']).toContain(m[1]);
      const prng = new Prng(caseSeed(5, 'h2 headers', i));
      for (const [name, value] of headerList(prng, PROFILE, prng.chance(0.5))) {
        if (name === ':authority') expect(PROFILE.authorities).toContain(value);
      }
    }
  });
});
