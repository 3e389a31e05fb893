import { parseDurationMs } from './reader.ts';

// Circuit breaking per Service: Linkerd's balancer.linkerd.io failure-accrual
// annotations under Weft's prefix. `failure-accrual: consecutive` turns it on
// and the `-consecutive-*` annotations tune it. A value that cannot be used is
// ignored on its own (its default applies, the other annotations still do)
// and reported, so one typo neither turns a Service's breaker off nor stops
// its discovery.

export const FAILURE_ACCRUAL = 'balancer.weft.dev/failure-accrual';
export const MAX_FAILURES = `${FAILURE_ACCRUAL}-consecutive-max-failures`;
export const MIN_PENALTY = `${FAILURE_ACCRUAL}-consecutive-min-penalty`;
export const MAX_PENALTY = `${FAILURE_ACCRUAL}-consecutive-max-penalty`;
export const JITTER_RATIO = `${FAILURE_ACCRUAL}-consecutive-jitter-ratio`;

/** Consecutive-failures accrual of one Service's endpoints, every setting filled in. */
export interface ConsecutiveFailures {
  /** Failures in a row that eject an endpoint from the callers' balancers. */
  readonly maxFailures: number;
  /** The first ejection's length; it doubles with each failed probe, up to `maxPenaltyMs`. */
  readonly minPenaltyMs: number;
  readonly maxPenaltyMs: number;
  /** Each penalty is lengthened by up to this share of itself, at random, so ejected endpoints are not probed in step. */
  readonly jitterRatio: number;
}

/** Linkerd's defaults. */
export const CONSECUTIVE_DEFAULTS: ConsecutiveFailures = {
  maxFailures: 7,
  minPenaltyMs: 1000,
  maxPenaltyMs: 60_000,
  jitterRatio: 0.5,
};

/** An annotation the control plane left out, and why. */
export interface IgnoredAnnotation {
  readonly annotation: string;
  readonly value: string;
  readonly reason: string;
}

export interface FailureAccrualAnnotations {
  /** Undefined: the Service asks for none, and the proxies' own default applies to it. */
  readonly consecutive: ConsecutiveFailures | undefined;
  readonly ignored: readonly IgnoredAnnotation[];
}

interface Setting {
  readonly annotation: string;
  /** What a valid value looks like, for the warning. */
  readonly expected: string;
  readonly fallback: string;
  parse(text: string): number | undefined;
}

const MAX_UINT32 = 0xffff_ffff;

const positiveDuration = (text: string) => {
  const ms = parseDurationMs(text);
  return ms !== undefined && ms > 0 ? ms : undefined;
};

const SETTINGS = {
  maxFailures: {
    annotation: MAX_FAILURES,
    expected: `a whole number from 1 to ${MAX_UINT32}`,
    fallback: '7',
    parse: (text) => (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= MAX_UINT32 ? Number(text) : undefined),
  },
  minPenaltyMs: {
    annotation: MIN_PENALTY,
    expected: 'a duration above zero such as 500ms, 10s or 1m',
    fallback: '1s',
    parse: positiveDuration,
  },
  maxPenaltyMs: {
    annotation: MAX_PENALTY,
    expected: 'a duration above zero such as 500ms, 10s or 1m',
    fallback: '1m',
    parse: positiveDuration,
  },
  jitterRatio: {
    annotation: JITTER_RATIO,
    expected: 'a number from 0 to 100',
    fallback: '0.5',
    parse: (text) => (/^\d+(\.\d+)?$/.test(text) && Number(text) <= 100 ? Number(text) : undefined),
  },
} satisfies Record<keyof ConsecutiveFailures, Setting>;

/** Reads a Service's failure-accrual annotations; never throws. */
export function readFailureAccrual(annotations: Readonly<Record<string, string>>): FailureAccrualAnnotations {
  const ignored: IgnoredAnnotation[] = [];
  const ignore = (annotation: string, reason: string) =>
    ignored.push({ annotation, value: annotations[annotation] ?? '', reason });
  const mode = annotations[FAILURE_ACCRUAL]?.trim();
  // Removing the mode alone is how a breaker is switched off: tuning annotations left behind are no mistake.
  if (mode === undefined) return { consecutive: undefined, ignored };
  if (mode !== 'consecutive') {
    ignore(FAILURE_ACCRUAL, 'the only mode is "consecutive"; failure accrual stays off');
    return { consecutive: undefined, ignored };
  }

  /** The annotation's value, undefined when absent or ignored. */
  const given = (setting: Setting): number | undefined => {
    const text = annotations[setting.annotation]?.trim();
    if (text === undefined) return undefined;
    const value = setting.parse(text);
    if (value === undefined)
      ignore(setting.annotation, `expected ${setting.expected}; the default (${setting.fallback}) applies`);
    return value;
  };
  let minPenaltyMs = given(SETTINGS.minPenaltyMs);
  let maxPenaltyMs = given(SETTINGS.maxPenaltyMs);
  const min = minPenaltyMs ?? CONSECUTIVE_DEFAULTS.minPenaltyMs;
  const max = maxPenaltyMs ?? CONSECUTIVE_DEFAULTS.maxPenaltyMs;
  // A pair that contradicts itself: the annotations that made it so are ignored, and the defaults agree.
  if (min > max) {
    const minText = minPenaltyMs === undefined ? SETTINGS.minPenaltyMs.fallback : annotations[MIN_PENALTY];
    const maxText = maxPenaltyMs === undefined ? SETTINGS.maxPenaltyMs.fallback : annotations[MAX_PENALTY];
    if (minPenaltyMs !== undefined) {
      ignore(
        MIN_PENALTY,
        `longer than the maximum penalty (${maxText}); the default (${SETTINGS.minPenaltyMs.fallback}) applies`,
      );
      minPenaltyMs = undefined;
    }
    if (maxPenaltyMs !== undefined) {
      ignore(
        MAX_PENALTY,
        `shorter than the minimum penalty (${minText}); the default (${SETTINGS.maxPenaltyMs.fallback}) applies`,
      );
      maxPenaltyMs = undefined;
    }
  }
  const d = CONSECUTIVE_DEFAULTS;
  return {
    consecutive: {
      maxFailures: given(SETTINGS.maxFailures) ?? d.maxFailures,
      minPenaltyMs: minPenaltyMs ?? d.minPenaltyMs,
      maxPenaltyMs: maxPenaltyMs ?? d.maxPenaltyMs,
      jitterRatio: given(SETTINGS.jitterRatio) ?? d.jitterRatio,
    },
    ignored,
  };
}
