import { describe, expect, it } from 'vitest';
import { ProxyError } from '../errors.ts';
import { readBreakerSettings } from './settings.ts';

const read = (env: Record<string, string>) => readBreakerSettings((name) => env[name]);

describe('proxy-wide failure accrual settings', () => {
  it('are off, without jitter, by default', () => {
    expect(read({})).toEqual({ consecutive: 0, minBackoffMs: 1000, maxBackoffMs: 60_000, jitterRatio: 0 });
  });

  it('read every variable', () => {
    expect(
      read({
        WEFT_PROXY_FAILURE_ACCRUAL_CONSECUTIVE: '7',
        WEFT_PROXY_FAILURE_ACCRUAL_MIN_BACKOFF: '500ms',
        WEFT_PROXY_FAILURE_ACCRUAL_MAX_BACKOFF: '10s',
        WEFT_PROXY_FAILURE_ACCRUAL_JITTER_RATIO: '0.5',
      }),
    ).toEqual({ consecutive: 7, minBackoffMs: 500, maxBackoffMs: 10_000, jitterRatio: 0.5 });
  });

  it.each([
    ['WEFT_PROXY_FAILURE_ACCRUAL_CONSECUTIVE', { WEFT_PROXY_FAILURE_ACCRUAL_CONSECUTIVE: '-1' }],
    ['WEFT_PROXY_FAILURE_ACCRUAL_JITTER_RATIO', { WEFT_PROXY_FAILURE_ACCRUAL_JITTER_RATIO: 'half' }],
    ['WEFT_PROXY_FAILURE_ACCRUAL_JITTER_RATIO', { WEFT_PROXY_FAILURE_ACCRUAL_JITTER_RATIO: '101' }],
    ['WEFT_PROXY_FAILURE_ACCRUAL_MAX_BACKOFF', { WEFT_PROXY_FAILURE_ACCRUAL_MAX_BACKOFF: '500ms' }],
  ])('refuse a bad %s', (name, env) => {
    const err = (() => {
      try {
        read(env);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ProxyError);
    expect((err as ProxyError).code).toBe('WEFT_PROXY_CONFIG');
    expect((err as ProxyError).message).toContain(name);
  });
});
