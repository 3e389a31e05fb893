import type { Bench } from './bench.ts';
import emojivotoWeb from './emojivoto-web/index.ts';
import proxyHop from './proxy-hop/index.ts';

// Every benchmark, by name; `npm run bench` runs them all in this order,
// `npm run bench -- <name>` runs one.
export const BENCHES: readonly Bench[] = [emojivotoWeb, proxyHop];
