import { describe, expect, it } from 'vitest';
import { forwardRawHeaders } from './headers.ts';

describe('forwardRawHeaders', () => {
  it('drops hop-by-hop headers and those named by Connection, keeping case, order and duplicates', () => {
    const raw = [
      'Host',
      'a',
      'Connection',
      'keep-alive, X-Hop',
      'X-Hop',
      '1',
      'Set-Cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
    ];
    expect(forwardRawHeaders(raw, undefined, undefined, undefined)).toEqual([
      'Host',
      'a',
      'Set-Cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
    ]);
  });

  it('replaces a header the peer must not forge', () => {
    const raw = ['weft-client-id', 'forged', 'Accept', '*/*'];
    expect(forwardRawHeaders(raw, 'weft-client-id', 'weft-client-id', 'real')).toEqual([
      'Accept',
      '*/*',
      'weft-client-id',
      'real',
    ]);
  });

  it('keeps Upgrade for a protocol switch', () => {
    const raw = ['Connection', 'Upgrade', 'Upgrade', 'websocket'];
    expect(forwardRawHeaders(raw, undefined, undefined, undefined, true)).toEqual([
      'Connection',
      'upgrade',
      'Upgrade',
      'websocket',
    ]);
  });
});
