import { describe, expect, it } from 'vitest';
import { canonicalIp } from './ip-address.ts';

describe('canonicalIp', () => {
  it('spells every form of an IPv6 address one way and keeps dotted quads as they are', () => {
    for (const text of ['fd00::12', 'FD00::12', 'fd00:0:0:0:0:0:0:12', 'fd00:0000::0012']) {
      expect(canonicalIp(text), text).toBe('fd00::12');
    }
    expect(canonicalIp('10.96.0.12')).toBe('10.96.0.12');
  });

  it('refuses what is not an address, without throwing, zoned IPv6 included', () => {
    for (const text of ['', 'web-svc', '10.96.0', '010.96.0.12', '10.96.0.300', '1::2::3', 'fe80::1%eth0', '[::1]']) {
      expect(canonicalIp(text), text).toBeUndefined();
    }
  });
});
