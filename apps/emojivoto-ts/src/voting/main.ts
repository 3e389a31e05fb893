import { processEnv } from '../config/env.ts';
import { readVotingConfig } from '../config/services.ts';
import { serveGrpc } from '../grpc/serve.ts';
import { runService } from '../lifecycle.ts';
import { Counter } from '../metrics/counter.ts';
import { grpcServerMetrics } from '../metrics/grpc-server-metrics.ts';
import { boundPort, startMetricsServer } from '../metrics/metrics-server.ts';
import { tracingServerInterceptor } from '../tracing/grpc-interceptors.ts';
import { startTracing } from '../tracing/provider.ts';
import { Tally } from './tally.ts';
import { registerVotingService } from './voting-server.ts';

await runService('voting-svc', async () => {
  const config = readVotingConfig(processEnv);
  const tracing = startTracing(config.tracing, 'parent-based');
  const metrics = grpcServerMetrics();
  const votesTotal = new Counter('emojivoto_votes_total', 'Number of emoji votes', ['emoji']);
  const behaviour = {
    failureRate: config.failureRate,
    artificialDelayMs: config.artificialDelayMs,
    random: Math.random,
  };
  const grpc = await serveGrpc(
    config.listenHost,
    config.grpcPort,
    [tracingServerInterceptor, metrics.interceptor],
    (server) => registerVotingService(server, new Tally(), votesTotal, behaviour),
  );
  console.log(`voting-svc: gRPC server listening on port ${grpc.port}`);
  const prom =
    config.promPort === undefined
      ? undefined
      : await startMetricsServer(config.listenHost, config.promPort, [votesTotal, metrics.handled]);
  if (prom) console.log(`voting-svc: metrics listening on port ${boundPort(prom)}`);
  return async () => {
    prom?.close();
    await grpc.close();
    await tracing.shutdown();
  };
});
