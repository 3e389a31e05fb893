import { describe, expect, it } from 'vitest';
import {
  CONSECUTIVE_DEFAULTS,
  FAILURE_ACCRUAL,
  JITTER_RATIO,
  MAX_FAILURES,
  MAX_PENALTY,
  MIN_PENALTY,
  readFailureAccrual,
} from './failure-accrual.ts';

const ON = { [FAILURE_ACCRUAL]: 'consecutive' };
const ignoredNames = (annotations: Record<string, string>) =>
  readFailureAccrual(annotations).ignored.map((i) => i.annotation);

describe('failure-accrual annotations', () => {
  it('is off without the mode annotation', () => {
    expect(readFailureAccrual({})).toEqual({ consecutive: undefined, ignored: [] });
  });

  it("fills in Linkerd's defaults", () => {
    expect(readFailureAccrual(ON)).toEqual({ consecutive: CONSECUTIVE_DEFAULTS, ignored: [] });
    expect(CONSECUTIVE_DEFAULTS).toEqual({
      maxFailures: 7,
      minPenaltyMs: 1000,
      maxPenaltyMs: 60_000,
      jitterRatio: 0.5,
    });
  });

  it('reads every tuning annotation', () => {
    const read = readFailureAccrual({
      ...ON,
      [MAX_FAILURES]: '3',
      [MIN_PENALTY]: '250ms',
      [MAX_PENALTY]: '1m30s',
      [JITTER_RATIO]: '0.25',
    });
    expect(read).toEqual({
      consecutive: { maxFailures: 3, minPenaltyMs: 250, maxPenaltyMs: 90_000, jitterRatio: 0.25 },
      ignored: [],
    });
  });

  it('ignores each bad value alone, keeping the others', () => {
    const read = readFailureAccrual({
      ...ON,
      [MAX_FAILURES]: 'lots',
      [MIN_PENALTY]: '2s',
      [MAX_PENALTY]: '0s',
      [JITTER_RATIO]: '0.1',
    });
    expect(read.consecutive).toEqual({ maxFailures: 7, minPenaltyMs: 2000, maxPenaltyMs: 60_000, jitterRatio: 0.1 });
    expect(read.ignored).toEqual([
      {
        annotation: MAX_PENALTY,
        value: '0s',
        reason: 'expected a duration above zero such as 500ms, 10s or 1m; the default (1m) applies',
      },
      {
        annotation: MAX_FAILURES,
        value: 'lots',
        reason: 'expected a whole number from 1 to 4294967295; the default (7) applies',
      },
    ]);
  });

  it.each([
    [MAX_FAILURES, '0'],
    [MAX_FAILURES, '-1'],
    [MAX_FAILURES, '2.5'],
    [MAX_FAILURES, '4294967296'],
    [MIN_PENALTY, '10'],
    [MIN_PENALTY, '0'],
    [MAX_PENALTY, 'soon'],
    [JITTER_RATIO, '-0.5'],
    [JITTER_RATIO, '101'],
    [JITTER_RATIO, 'NaN'],
    [JITTER_RATIO, ''],
  ])('ignores %s: "%s"', (annotation, value) => {
    const read = readFailureAccrual({ ...ON, [annotation]: value });
    expect(read.consecutive).toEqual(CONSECUTIVE_DEFAULTS);
    expect(read.ignored.map((i) => [i.annotation, i.value])).toEqual([[annotation, value]]);
  });

  it('ignores penalties that contradict each other, naming the other value', () => {
    const both = readFailureAccrual({ ...ON, [MIN_PENALTY]: '5s', [MAX_PENALTY]: '2s' });
    expect(both.consecutive).toEqual(CONSECUTIVE_DEFAULTS);
    expect(both.ignored.map((i) => i.reason)).toEqual([
      'longer than the maximum penalty (2s); the default (1s) applies',
      'shorter than the minimum penalty (5s); the default (1m) applies',
    ]);
    // Against a default, only the annotation that contradicts it goes.
    expect(readFailureAccrual({ ...ON, [MIN_PENALTY]: '2m' }).ignored[0]?.reason).toBe(
      'longer than the maximum penalty (1m); the default (1s) applies',
    );
    const shortMax = readFailureAccrual({ ...ON, [MAX_PENALTY]: '500ms', [JITTER_RATIO]: '0' });
    expect(shortMax.consecutive).toEqual({ ...CONSECUTIVE_DEFAULTS, jitterRatio: 0 });
    expect(ignoredNames({ ...ON, [MAX_PENALTY]: '500ms' })).toEqual([MAX_PENALTY]);
  });

  it('stays off for an unknown mode, and says so', () => {
    const read = readFailureAccrual({ [FAILURE_ACCRUAL]: 'Consecutive', [MAX_FAILURES]: '3' });
    expect(read.consecutive).toBeUndefined();
    expect(read.ignored).toEqual([
      {
        annotation: FAILURE_ACCRUAL,
        value: 'Consecutive',
        reason: 'the only mode is "consecutive"; failure accrual stays off',
      },
    ]);
  });

  it('leaves tuning annotations unused, and unreported, without the mode', () => {
    expect(readFailureAccrual({ [MAX_FAILURES]: '3', [JITTER_RATIO]: 'x' })).toEqual({
      consecutive: undefined,
      ignored: [],
    });
  });
});
