import type { WeightedDst } from '../profile/profile.ts';

// A traffic split (the profile's dst_overrides): each request goes to one of
// the backend services, chosen at random by weight. Built once per profile
// update and swapped whole, so a request sees either the old or the new split.

export class Split<T> {
  readonly targets: readonly T[];
  readonly #cumulative: Float64Array;
  readonly #total: number;

  constructor(targets: readonly T[], weights: readonly number[]) {
    this.targets = targets;
    this.#cumulative = new Float64Array(weights.length);
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      total += weights[i] as number;
      this.#cumulative[i] = total;
    }
    this.#total = total;
  }

  /** `random` in [0, 1). */
  pick(random = Math.random()): T {
    const x = random * this.#total;
    const c = this.#cumulative;
    for (let i = 0; i < c.length; i++) if (x < (c[i] as number)) return this.targets[i] as T;
    return this.targets[this.targets.length - 1] as T;
  }
}

/** The split for `overrides`, or undefined when there is none to make (no backend with weight). */
export function buildSplit<T>(
  overrides: readonly WeightedDst[],
  target: (authority: string) => T,
): Split<T> | undefined {
  const live = overrides.filter((d) => d.weight > 0 && d.authority !== '');
  if (live.length === 0) return undefined;
  return new Split(
    live.map((d) => target(d.authority)),
    live.map((d) => d.weight),
  );
}
