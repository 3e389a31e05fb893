import { afterAll, beforeAll, describe, it } from 'vitest';
import { type RunningIdentity, startIdentity } from '../src/identity-under-fuzz.ts';
import { optionsFromEnv } from '../src/options.ts';
import { fuzzTarget } from '../src/runner.ts';

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
