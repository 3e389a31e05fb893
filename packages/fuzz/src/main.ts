import { parseArgs } from 'node:util';
import type { Child } from './child.ts';
import { startControlPlane } from './control-plane-under-fuzz.ts';
import { FuzzError, FuzzErrorCode } from './errors.ts';
import { startIdentity } from './identity-under-fuzz.ts';
import { optionsFromEnv } from './options.ts';
import { startProxy } from './proxy-under-fuzz.ts';
import { fuzzTarget, type Target } from './runner.ts';

// `pnpm --filter @weft/fuzz fuzz -- --seconds 600 [--seed N] [--target NAME]`:
// a long run by hand, against every listener or one. Exits 1 on the first
// failure, with its report.

const COMPONENTS = {
  identity: startIdentity,
  'control-plane': startControlPlane,
  proxy: startProxy,
} satisfies Record<string, () => Promise<{ child: Child; targets(): Target[]; stop(): Promise<void> }>>;

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { seconds: { type: 'string' }, seed: { type: 'string' }, target: { type: 'string' } },
});
const env = {
  ...process.env,
  WEFT_FUZZ_SECONDS: values.seconds ?? process.env.WEFT_FUZZ_SECONDS,
  WEFT_FUZZ_SEED: values.seed ?? process.env.WEFT_FUZZ_SEED,
};
const options = optionsFromEnv(env, (line) => console.log(line));
const wanted = values.target;

let failed = false;
for (const [component, start] of Object.entries(COMPONENTS)) {
  if (wanted && !wanted.startsWith(component)) continue;
  const running = await start();
  try {
    for (const target of running.targets()) {
      if (wanted && wanted !== component && wanted !== target.name) continue;
      await fuzzTarget(target, options);
    }
  } catch (err) {
    failed = true;
    console.error(err instanceof FuzzError ? err.message : err);
  } finally {
    await running.stop();
  }
  if (failed) break;
}
if (wanted && !Object.keys(COMPONENTS).some((c) => wanted.startsWith(c))) {
  console.error(new FuzzError(FuzzErrorCode.InvalidOption, `--target: no component ${wanted}`).message);
  failed = true;
}
process.exit(failed ? 1 : 0);
