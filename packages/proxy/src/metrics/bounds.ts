import type { Labels } from './labels.ts';

// Labels whose values a peer chooses (a Host header, a certificate's name, a
// discovered address) would let any client grow /metrics without end. Each
// such label keeps at most a fixed number of distinct values per direction;
// values past it are recorded under OVERFLOW, and the replacements counted.

/** The value a bounded label takes once it already holds its maximum of distinct values. */
export const OVERFLOW = 'overflow';

export interface MetricsLimits {
  /** Distinct values of authority, dst, rt_route, client_id and server_id, per direction. */
  readonly maxLabelValues: number;
  /** Distinct values of target_addr, target_ip and target_port, per direction. */
  readonly maxTargets: number;
}

export const DEFAULT_METRICS_LIMITS: MetricsLimits = { maxLabelValues: 100, maxTargets: 1000 };

const NAMES = ['authority', 'dst', 'rt_route', 'client_id', 'server_id'] as const;
const TARGETS = ['target_addr', 'target_ip', 'target_port'] as const;

interface Bound {
  readonly direction: string;
  readonly label: string;
  readonly max: number;
  readonly values: Set<string>;
  /** Values replaced by OVERFLOW so far. */
  overflowed: number;
}

export class LabelBounds {
  readonly #max = new Map<string, number>();
  /** By direction, then label. */
  readonly #bounds = new Map<string, Map<string, Bound>>();

  constructor(limits: MetricsLimits = DEFAULT_METRICS_LIMITS) {
    for (const label of NAMES) this.#max.set(label, limits.maxLabelValues);
    for (const label of TARGETS) this.#max.set(label, limits.maxTargets);
  }

  /**
   * `labels` itself when every bounded value fits (the usual case: nothing
   * is copied), else a copy with the values past their bound replaced.
   */
  apply(labels: Labels): Labels {
    let out: Record<string, string> | undefined;
    const direction = labels.direction ?? '';
    for (const [label, max] of this.#max) {
      const value = labels[label];
      if (value === undefined || this.#admit(direction, label, max, value)) continue;
      out ??= { ...labels };
      out[label] = OVERFLOW;
    }
    return out ?? labels;
  }

  /** Every bound that replaced at least one value. */
  *overflows(): Generator<Readonly<Bound>> {
    for (const byLabel of this.#bounds.values()) {
      for (const bound of byLabel.values()) if (bound.overflowed > 0) yield bound;
    }
  }

  #admit(direction: string, label: string, max: number, value: string): boolean {
    let byLabel = this.#bounds.get(direction);
    if (!byLabel) {
      byLabel = new Map();
      this.#bounds.set(direction, byLabel);
    }
    let bound = byLabel.get(label);
    if (!bound) {
      bound = { direction, label, max, values: new Set(), overflowed: 0 };
      byLabel.set(label, bound);
    }
    if (bound.values.has(value)) return true;
    // A peer naming "overflow" itself joins the overflow series without taking a slot.
    if (value !== OVERFLOW && bound.values.size < max) {
      bound.values.add(value);
      return true;
    }
    bound.overflowed++;
    return false;
  }
}
