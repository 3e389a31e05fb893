import { afterEach, describe, it } from 'vitest';
import { optionsFromEnv } from '../src/options.ts';
import { type RunningProxy, startProxy } from '../src/proxy-under-fuzz.ts';
import { fuzzTarget } from '../src/runner.ts';

// Every listener of a sidecar under seeded hostile input: the process must
// stay up, keep forwarding a real request to its app and keep its memory
// bounded. A fresh sidecar for each listener, so one crash hides no other.

const options = optionsFromEnv(process.env, (line) => console.log(line));
const budgetMs = options.seconds * 1000 + 90_000;

describe('the proxy under fuzz', () => {
  let proxy: RunningProxy | undefined;
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  it.each(['proxy-inbound', 'proxy-outbound', 'proxy-admin', 'proxy-tap'])(
    '%s: stays up, still forwards a request to its app, and keeps its RSS and descriptors within bounds',
    async (name) => {
      proxy = await startProxy();
      const target = proxy.targets().find((t) => t.name === name);
      if (!target) throw new Error(`no target ${name}`);
      await fuzzTarget(target, options);
    },
    budgetMs,
  );
});
