import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCase } from '../src/generate.ts';
import { type RunningIdentity, startIdentity } from '../src/identity-under-fuzz.ts';
import { optionsFromEnv } from '../src/options.ts';
import { caseSeed } from '../src/prng.ts';
import { replaysFor } from '../src/replays.ts';
import { fuzzTarget } from '../src/runner.ts';
import { overTls, sendCase } from '../src/send-case.ts';

// The identity service's gRPC port (TLS) and admin port under seeded hostile
// input: the process must stay up, keep certifying and keep its memory bounded.

const options = optionsFromEnv(process.env, (line) => console.log(line));
const budgetMs = options.seconds * 1000 + 60_000;

describe('the identity service under fuzz', () => {
  let identity: RunningIdentity | undefined;
  beforeAll(async () => {
    identity = await startIdentity();
  });
  afterAll(async () => {
    await identity?.stop();
  });

  it('survives gRPC calls to an unknown method whose streams close before it answers them (replays of seeds 32 and 33)', async () => {
    const target = identity?.targets().find((t) => t.name === 'identity-grpc');
    if (!target) throw new Error('no target identity-grpc');
    for (const replay of replaysFor('identity-grpc')) {
      const fuzzCase = generateCase(caseSeed(replay.seed, target.name, replay.index), target.profile);
      await sendCase(target.endpoint, fuzzCase, overTls(target.endpoint, replay.index, fuzzCase), options.lingerMs);
    }
    expect(replaysFor('identity-grpc').length).toBeGreaterThan(0);
    // The crash came as the connection closed, with answers still pending: whichever comes first.
    const outcome = await Promise.race([
      target.child.exited.then(() => 'exited'),
      target.check().then(() => 'certified'),
    ]);
    expect(outcome, target.child.output.slice(-2000)).toBe('certified');
  });

  it.each(['identity-grpc', 'identity-admin'])(
    '%s: stays up, still certifies a workload, and keeps its RSS and descriptors within bounds',
    async (name) => {
      const target = identity?.targets().find((t) => t.name === name);
      if (!target) throw new Error(`no target ${name}`);
      await fuzzTarget(target, options);
    },
    budgetMs,
  );
});
