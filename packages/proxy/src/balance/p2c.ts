// Power of two choices: pick two distinct ready endpoints at random and use
// the one with the lower load. The request path makes one synchronous call;
// discovery replaces the endpoint array, never mutates it under a pick.

export interface Loaded {
  load(now: number): number;
}

export type Random = () => number;

export function pickP2c<E extends Loaded>(
  endpoints: readonly E[],
  now: number,
  random: Random = Math.random,
): E | undefined {
  const n = endpoints.length;
  if (n === 0) return undefined;
  if (n === 1) return endpoints[0];
  const a = Math.floor(random() * n);
  let b = Math.floor(random() * (n - 1));
  if (b >= a) b++;
  const ea = endpoints[a] as E;
  const eb = endpoints[b] as E;
  // Ties go to the first pick, as in linkerd's p2c.
  return eb.load(now) < ea.load(now) ? eb : ea;
}
