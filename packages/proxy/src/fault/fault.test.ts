import { describe, expect, it } from 'vitest';
import { decide, parseFault } from './fault.ts';

describe('fault', () => {
  it('reads the annotations a route carries, and none means no fault', () => {
    expect(parseFault({ route: 'x' })).toBeUndefined();
    expect(parseFault({ 'fault.weft.dev/abort-percent': '25', 'fault.weft.dev/abort-status': '503' })).toEqual({
      abortPercent: 25,
      abortStatus: 503,
      delayMs: 0,
      delayPercent: 100,
    });
    expect(parseFault({ 'fault.weft.dev/delay': '1.5s' })?.delayMs).toBe(1500);
  });

  it('aborts about the declared share', () => {
    const fault = parseFault({ 'fault.weft.dev/abort-percent': '30' });
    let aborted = 0;
    for (let i = 0; i < 10_000; i++) if (fault && decide(fault) === 'abort') aborted++;
    expect(aborted / 10_000).toBeGreaterThan(0.27);
    expect(aborted / 10_000).toBeLessThan(0.33);
  });
});
