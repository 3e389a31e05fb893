import { describe, expect, it } from 'vitest';
import { InboundPolicy } from './authorize.ts';
import type { PolicyAuthz } from './server-policy.ts';

const mesh = (identities: string[], suffixes: string[]): PolicyAuthz => ({
  networks: [],
  authn: { kind: 'meshTls', any: false, identities, suffixes },
  labels: {},
  audit: false,
});

describe('inbound policy', () => {
  it('matches identities, suffixes and networks', () => {
    const p = new InboundPolicy({
      protocol: 'http1',
      routes: [],
      rateLimit: undefined,
      labels: {},
      authorizations: [
        mesh(['web.emojivoto.sa'], ['prod.sa']),
        {
          networks: [{ net: '10.0.0.0/8', except: ['10.1.0.0/16'] }],
          authn: { kind: 'unauthenticated' },
          labels: {},
          audit: false,
        },
      ],
    });
    expect(p.request('web.emojivoto.sa', '127.0.0.1', 'GET', '/')).toBe('allow');
    expect(p.request('books.prod.sa', '127.0.0.1', 'GET', '/')).toBe('allow');
    expect(p.request('books.dev.sa', '127.0.0.1', 'GET', '/')).toBe('deny');
    expect(p.request(undefined, '::ffff:10.2.3.4', 'GET', '/')).toBe('allow');
    expect(p.request(undefined, '10.1.3.4', 'GET', '/')).toBe('deny');
  });

  it('answers no route for a request no route matches, and a probe route admits anyone', () => {
    const p = new InboundPolicy({
      protocol: 'http1',
      rateLimit: undefined,
      labels: {},
      authorizations: [],
      routes: [
        {
          labels: { name: 'probe' },
          matches: [{ path: { kind: 'exact', value: '/ready' }, method: 'GET' }],
          authorizations: [{ networks: [], authn: { kind: 'unauthenticated' }, labels: {}, audit: false }],
        },
        {
          labels: { name: 'api' },
          matches: [{ path: { kind: 'prefix', value: '/api' }, method: '' }],
          authorizations: [],
        },
      ],
    });
    expect(p.request(undefined, '127.0.0.1', 'GET', '/ready')).toBe('allow');
    expect(p.request(undefined, '127.0.0.1', 'GET', '/api/x?y=1')).toBe('deny');
    expect(p.request(undefined, '127.0.0.1', 'GET', '/other')).toBe('noRoute');
  });
});
