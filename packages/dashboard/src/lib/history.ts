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

  add(key: string, v: number | null, t = Date.now()): void {
    const points = this.#series.get(key) ?? [];
    points.push({ t, v });
    if (points.length > this.#limit) points.splice(0, points.length - this.#limit);
    this.#series.set(key, points);
  }

  get(key: string): readonly Point[] {
    return this.#series.get(key) ?? [];
  }
}
