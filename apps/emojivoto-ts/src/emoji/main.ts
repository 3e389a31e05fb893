import { processEnv } from '../config/env.ts';
import { readEmojiConfig } from '../config/services.ts';
import { serveGrpc } from '../grpc/serve.ts';
import { runService } from '../lifecycle.ts';
import { grpcServerMetrics } from '../metrics/grpc-server-metrics.ts';
import { boundPort, startMetricsServer } from '../metrics/metrics-server.ts';
import { tracingServerInterceptor } from '../tracing/grpc-interceptors.ts';
import { startTracing } from '../tracing/provider.ts';
import { registerEmojiService } from './emoji-server.ts';

await runService('emoji-svc', async () => {
  const config = readEmojiConfig(processEnv);
  const tracing = startTracing(config.tracing, 'parent-based');
  const metrics = grpcServerMetrics();
  const grpc = await serveGrpc(
    config.listenHost,
    config.grpcPort,
    [tracingServerInterceptor, metrics.interceptor],
    registerEmojiService,
  );
  console.log(`emoji-svc: gRPC server listening on port ${grpc.port}`);
  const prom =
    config.promPort === undefined
      ? undefined
      : await startMetricsServer(config.listenHost, config.promPort, [metrics.handled]);
  if (prom) console.log(`emoji-svc: metrics listening on port ${boundPort(prom)}`);
  return async () => {
    prom?.close();
    await grpc.close();
    await tracing.shutdown();
  };
});
