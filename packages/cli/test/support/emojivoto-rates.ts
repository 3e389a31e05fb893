// What emojivoto's success rates should be, for the tests that run it with a
// faster vote-bot and read them back from `weft stat`.

/** The mesh identity of an emojivoto ServiceAccount under `weft dev`. */
export const id = (sa: string) => `${sa}.emojivoto.serviceaccount.identity.weft-system.cluster.local`;

// The bot votes for the doughnut (always fails) 15 % of the time and picks
// uniformly among the 99 emojis otherwise, the doughnut among them.
export const VOTE_SUCCESS = 1 - (0.15 + 0.85 / 99);

export interface StatRow {
  name: string;
  success: number | null;
  rps: number | null;
  time_window: string;
}

/** `17s`, `1m`, `1m30s`, `4.5s` as seconds. */
export function windowSeconds(text: string): number {
  const m = /^(?:(\d+)m)?(?:([\d.]+)s)?$/.exec(text);
  return Number(m?.[1] ?? 0) * 60 + Number(m?.[2] ?? 0);
}

/** Four binomial standard deviations of a success share over n trials. */
export function tolerance(p: number, n: number): number {
  return 4 * Math.sqrt((p * (1 - p)) / n);
}
