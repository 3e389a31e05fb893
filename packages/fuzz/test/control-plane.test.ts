import { afterAll, beforeAll, describe, it } from 'vitest';
import { type RunningControlPlane, startControlPlane } from '../src/control-plane-under-fuzz.ts';
import { optionsFromEnv } from '../src/options.ts';
import { fuzzTarget } from '../src/runner.ts';

// The control plane's gRPC and admin ports under seeded hostile input: the
// process must stay up, keep resolving a Service and keep its memory bounded.

const options = optionsFromEnv(process.env, (line) => console.log(line));
const budgetMs = options.seconds * 1000 + 60_000;

describe('the control plane under fuzz', () => {
  let controlPlane: RunningControlPlane | undefined;
  beforeAll(async () => {
    controlPlane = await startControlPlane();
  });
  afterAll(async () => {
    await controlPlane?.stop();
  });

  it.each(['control-plane-grpc', 'control-plane-admin'])(
    '%s: stays up, still answers a destination Get, and keeps its RSS and descriptors within bounds',
    async (name) => {
      const target = controlPlane?.targets().find((t) => t.name === name);
      if (!target) throw new Error(`no target ${name}`);
      await fuzzTarget(target, options);
    },
    budgetMs,
  );
});
