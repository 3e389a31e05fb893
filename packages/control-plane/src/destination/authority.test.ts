import { describe, expect, it } from 'vitest';
import { parseAuthority, parseContextToken } from './authority.ts';

const ctx = { namespace: 'emojivoto' };

describe('parseAuthority', () => {
  it('reads every accepted form as the same Service port', () => {
    for (const path of [
      'web-svc.emojivoto.svc.cluster.local:8080',
      'web-svc.emojivoto.svc.cluster.local.:8080',
      'web-svc.emojivoto.svc:8080',
      'web-svc.emojivoto:8080',
      'web-svc:8080',
      'WEB-SVC.emojivoto:8080',
    ]) {
      expect(parseAuthority(path, 'cluster.local', ctx)).toEqual({
        service: 'web-svc',
        namespace: 'emojivoto',
        port: 8080,
        fqdn: 'web-svc.emojivoto.svc.cluster.local',
      });
    }
  });

  it('defaults the port to 80 and honours another cluster domain', () => {
    expect(parseAuthority('api.prod.svc.corp.example', 'corp.example', ctx)).toMatchObject({
      namespace: 'prod',
      port: 80,
    });
  });

  it('reads IPv4 and bracketed IPv6 addresses, the IPv6 in one spelling', () => {
    expect(parseAuthority('10.96.0.12:8080', 'cluster.local', ctx)).toEqual({ ip: '10.96.0.12', port: 8080 });
    expect(parseAuthority('10.96.0.12', 'cluster.local', ctx)).toEqual({ ip: '10.96.0.12', port: 80 });
    for (const path of ['[fd00::12]:8080', '[FD00:0:0::12]:8080', '[fd00:0000::0012]:8080']) {
      expect(parseAuthority(path, 'cluster.local', ctx), path).toEqual({ ip: 'fd00::12', port: 8080 });
    }
  });

  it('rejects bad addresses, bad ports and foreign names with WEFT_CP_INVALID_AUTHORITY', () => {
    for (const path of [
      'web:99999',
      'a.b.c.example.com:80',
      'web_svc:80',
      '',
      '10.1.2:80',
      '010.1.2.3:80',
      '10.1.2.300:80',
      '[10.1.2.3]:80',
      '[fd00::zz]:80',
      'fd00::12:80',
      '[fd00::12]:0',
      '[fe80::1%eth0]:80',
      '[]:80',
      '[:80',
    ]) {
      expect(() => parseAuthority(path, 'cluster.local', ctx), path).toThrow(/WEFT_CP_INVALID_AUTHORITY/);
    }
  });
});

describe('parseContextToken', () => {
  it('reads JSON tokens, the legacy ns: form, and an empty token', () => {
    expect(parseContextToken('{"ns":"emojivoto","pod":"web-1"}')).toEqual({ namespace: 'emojivoto', pod: 'web-1' });
    expect(parseContextToken('ns:emojivoto')).toEqual({ namespace: 'emojivoto' });
    expect(parseContextToken('')).toEqual({ namespace: 'default' });
    expect(() => parseContextToken('{not json')).toThrow(/WEFT_CP_INVALID_WORKLOAD/);
  });
});
