// Figures remembered across refreshes, for sparklines and charts: per key, the
// last `limit` points. Kept for as long as the page is open.

export interface Point {
  readonly t: number;
  readonly v: number | null;
}

export class History {
  readonly #series = new Map<string, Point[]>();
  readonly #limit: number;

  constructor(limit = 150) {
    this.#limit = limit;
  }

  /** Points may arrive out of order (a look back answers after the first live figures): kept sorted by time. */
  add(key: string, v: number | null, t = Date.now()): void {
    const points = this.#series.get(key) ?? [];
    let i = points.length;
    while (i > 0 && (points[i - 1] as Point).t > t) i--;
    points.splice(i, 0, { t, v });
    if (points.length > this.#limit) points.splice(0, points.length - this.#limit);
    this.#series.set(key, points);
  }

  get(key: string): readonly Point[] {
    return this.#series.get(key) ?? [];
  }
}
