import type { FuzzCase } from './fuzz-case.ts';
import { grpcCase } from './grpc-gen.ts';
import { h1Case } from './h1-gen.ts';
import { h2Case } from './h2-gen.ts';
import { Prng } from './prng.ts';
import type { Profile } from './profile.ts';
import { rawCase, tlsCase } from './tls-gen.ts';

/** One connection's input, the same for the same seed on every machine. */
export function generateCase(seed: number, profile: Profile): FuzzCase {
  const prng = new Prng(seed);
  const roll = prng.int(0, 99);
  if (roll < 35) return h2Case(prng, profile);
  if (roll < 50) return grpcCase(prng, profile);
  if (roll < 80) return h1Case(prng, profile);
  if (roll < 90) return tlsCase(prng);
  return rawCase(prng);
}
