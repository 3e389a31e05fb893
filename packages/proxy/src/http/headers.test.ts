import { describe, expect, it } from 'vitest';
import { forwardRawHeaders, isStripped, MESH_HEADERS, trailerPairs } from './headers.ts';

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

  it('drops every mesh header, in any case and with underscores, and keeps the rest', () => {
    const raw = [
      'Weft-Client-Id',
      'a',
      'weft_client_id',
      'b',
      'WEFT-DST-CANONICAL',
      'c',
      'weftx',
      'd',
      'x-weft-a',
      'e',
    ];
    expect(forwardRawHeaders(raw, MESH_HEADERS, 'weft-client-id', 'real')).toEqual([
      'weftx',
      'd',
      'x-weft-a',
      'e',
      'weft-client-id',
      'real',
    ]);
    expect(trailerPairs(['Weft_Dst_Canonical', 'x', 'x-sum', '1'], MESH_HEADERS)).toEqual([['x-sum', '1']]);
  });
});

describe('isStripped', () => {
  it('matches one name in either spelling, or every weft- and weft_ name', () => {
    expect(isStripped('weft_client_id', 'weft-client-id')).toBe(true);
    expect(isStripped('weft-client-id', 'weft-client-id')).toBe(true);
    expect(isStripped('weft-dst-canonical', 'weft-client-id')).toBe(false);
    expect(isStripped('weft_dst_canonical', MESH_HEADERS)).toBe(true);
    expect(isStripped('weft', MESH_HEADERS)).toBe(false);
    expect(isStripped('wefts-a', MESH_HEADERS)).toBe(false);
    expect(isStripped('weft-client-id', undefined)).toBe(false);
  });
});
