import { processEnv } from '../config/env.ts';
import { readWebConfig } from '../config/services.ts';
import { emojiClient, votingClient } from '../grpc/clients.ts';
import { runService } from '../lifecycle.ts';
import { tracingClientInterceptor } from '../tracing/grpc-interceptors.ts';
import { startTracing } from '../tracing/provider.ts';
import { buildWebServer } from './server.ts';
import { loadUiAssets } from './ui-assets.ts';

await runService('web', async () => {
  const config = readWebConfig(processEnv);
  const tracing = startTracing(config.tracing, 'parent-based');
  const emoji = emojiClient(config.emojiHost, [tracingClientInterceptor]);
  const voting = votingClient(config.votingHost, [tracingClientInterceptor]);
  const app = buildWebServer({
    backends: { emoji, voting },
    assets: loadUiAssets(config.indexBundle),
    messageOfTheDay: config.messageOfTheDay,
  });
  await app.listen({ port: config.webPort, host: config.listenHost });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.webPort;
  console.log(`web: listening on port ${port} (emoji-svc ${config.emojiHost}, voting-svc ${config.votingHost})`);
  return async () => {
    await app.close();
    emoji.close();
    voting.close();
    await tracing.shutdown();
  };
});
