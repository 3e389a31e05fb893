/** In-memory vote counts, as in the original: a restart loses every vote. */
export class Tally {
  readonly #votes = new Map<string, number>();

  record(shortcode: string): number {
    const count = (this.#votes.get(shortcode) ?? 0) + 1;
    this.#votes.set(shortcode, count);
    return count;
  }

  /** Emojis with at least one vote, most votes first. */
  results(): Array<{ shortcode: string; votes: number }> {
    return [...this.#votes].map(([shortcode, votes]) => ({ shortcode, votes })).sort((a, b) => b.votes - a.votes);
  }
}
