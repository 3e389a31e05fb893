import type { FuzzCase } from './fuzz-case.ts';
import { Flag, FrameType, frame, PREFACE, requestHeaders, rstStream, settings, windowUpdate } from './h2-frames.ts';
import type { Profile } from './profile.ts';

// Inputs that crashed a Weft process once. Every target gets each of them,
// in the same write as the request they follow, before any random input.

function request(profile: Profile, method: string, extra: [string, string][] = []): [string, string][] {
  return [
    [':method', method],
    [':scheme', 'http'],
    [':path', profile.paths[0] ?? '/'],
    [':authority', profile.authorities[0] ?? 'localhost'],
    ...extra,
  ];
}

export function knownShapes(profile: Profile): FuzzCase[] {
  const open = (method: string, extra?: [string, string][]) =>
    Buffer.concat([PREFACE, settings([]), requestHeaders(1, request(profile, method, extra), false)]);
  const h1Host = profile.authorities[0] ?? 'localhost';
  return [
    {
      layer: 'http',
      kind: 'known: RST_STREAM code 1 right after HEADERS',
      writes: [Buffer.concat([open('GET'), rstStream(1, 1)])],
      ending: 'linger',
    },
    {
      layer: 'http',
      kind: 'known: RST_STREAM code 2 right after HEADERS',
      writes: [Buffer.concat([open('GET'), rstStream(1, 2)])],
      ending: 'linger',
    },
    {
      layer: 'http',
      kind: 'known: WINDOW_UPDATE increment 0 right after HEADERS',
      writes: [Buffer.concat([open('GET'), windowUpdate(1, 0)])],
      ending: 'linger',
    },
    {
      layer: 'http',
      kind: 'known: connection WINDOW_UPDATE increment 0 right after HEADERS',
      writes: [Buffer.concat([open('GET'), windowUpdate(0, 0)])],
      ending: 'linger',
    },
    { layer: 'http', kind: 'known: HEADERS without END_STREAM, then FIN', writes: [open('POST')], ending: 'end' },
    {
      layer: 'http',
      kind: 'known: h2 POST whose DATA is shorter than its content-length',
      writes: [
        Buffer.concat([
          open('POST', [['content-length', '100']]),
          frame(FrameType.DATA, Flag.END_STREAM, 1, Buffer.alloc(10, 0x61)),
        ]),
      ],
      ending: 'linger',
    },
    {
      layer: 'http',
      kind: 'known: h1 POST whose body is shorter than its content-length, then FIN',
      writes: [
        Buffer.from(
          `POST ${profile.paths[0] ?? '/'} HTTP/1.1\r\nHost: ${h1Host}\r\nContent-Length: 100\r\n\r\n0123456789`,
          'latin1',
        ),
      ],
      ending: 'end',
    },
  ];
}
