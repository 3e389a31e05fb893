import { describe, expect, it } from 'vitest';
import { InboundPolicy } from './authorize.ts';
import { defaultPolicy } from './default-policy.ts';

describe('default inbound policy', () => {
  const verdict = (name: string, id: string | undefined, ip: string) =>
    new InboundPolicy(defaultPolicy(name, '10.0.0.0/8')).request(id, ip, 'GET', '/');

  it('follows the named default until the policy API answers', () => {
    expect(verdict('all-unauthenticated', undefined, '192.168.1.1')).toBe('allow');
    expect(verdict('all-authenticated', undefined, '10.1.1.1')).toBe('deny');
    expect(verdict('all-authenticated', 'web.ns.sa', '192.168.1.1')).toBe('allow');
    expect(verdict('cluster-unauthenticated', undefined, '10.1.1.1')).toBe('allow');
    expect(verdict('cluster-unauthenticated', undefined, '192.168.1.1')).toBe('deny');
    expect(verdict('deny', 'web.ns.sa', '10.1.1.1')).toBe('deny');
  });
});
