import Fastify, { type FastifyInstance } from 'fastify';
import type { ListenAddress } from '../config.ts';
import type { ResourceStore } from '../store/store.ts';
import type { Metrics } from './metrics.ts';

/**
 * /metrics (Prometheus text) and /ready (200 once every resource kind has
 * loaded; the body lists inputs currently rejected, which never make it unready
 * because the last good state is still served).
 */
export async function startAdmin(
  listen: ListenAddress,
  store: ResourceStore,
  metrics: Metrics,
  isReady: () => boolean,
): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify({ logger: false });
  metrics.sampled('process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge', () =>
    process.memoryUsage.rss(),
  );
  metrics.sampled('nodejs_heap_used_bytes', 'V8 heap in use in bytes.', 'gauge', () => process.memoryUsage().heapUsed);
  metrics.sampled('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', 'counter', () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  });
  app.get('/metrics', async (_req, reply) => {
    reply.type('text/plain; version=0.0.4');
    return metrics.render();
  });
  app.get('/ready', async (_req, reply) => {
    const problems = store.problems();
    reply.code(isReady() ? 200 : 503);
    return { ready: isReady(), problems };
  });
  app.get('/live', async () => ({ live: true }));
  await app.listen({ host: listen.host, port: listen.port });
  const address = app.server.address();
  return { app, port: typeof address === 'object' && address ? address.port : listen.port };
}
