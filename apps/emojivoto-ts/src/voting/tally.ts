/** In-memory vote counts, as in the original: a restart loses every vote. */
export class Tally {
  readonly #votes = new Map<string, number>();

  record(shortcode: string): void {
    this.#votes.set(shortcode, (this.#votes.get(shortcode) ?? 0) + 1);
  }

  /** Emojis with at least one vote, most votes first. */
  results(): Array<{ shortcode: string; votes: number }> {
    return [...this.#votes].map(([shortcode, votes]) => ({ shortcode, votes })).sort((a, b) => b.votes - a.votes);
  }
}
