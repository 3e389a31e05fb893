import { processEnv } from '../config/env.ts';
import { readVoteBotConfig } from '../config/services.ts';
import { runService } from '../lifecycle.ts';
import { startTracing } from '../tracing/provider.ts';
import { runBot } from './bot.ts';
import { closeAgent } from './http-get.ts';

await runService('vote-bot', async () => {
  const config = readVoteBotConfig(processEnv);
  const tracing = startTracing(config.tracing, 'always');
  const abort = new AbortController();
  console.log(
    `vote-bot: voting on ${config.webHost} at ${config.requestRate}/s${config.ttlSeconds > 0 ? ` for ${config.ttlSeconds}s` : ''}`,
  );
  const done = runBot(config, abort.signal).then(async () => {
    if (abort.signal.aborted) return;
    // TTL reached: exit 0 like the original, after the last spans are sent.
    console.log('vote-bot: TTL reached, exiting');
    closeAgent();
    await tracing.shutdown();
    process.exit(0);
  });
  return async () => {
    abort.abort();
    await done;
    closeAgent();
    await tracing.shutdown();
  };
});
