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
  const rss = metrics.gauge('process_resident_memory_bytes', 'Resident memory');
  const heap = metrics.gauge('nodejs_heap_used_bytes', 'V8 heap in use');
  const cpu = metrics.gauge('process_cpu_seconds_total', 'User and system CPU time');
  app.get('/metrics', async (_req, reply) => {
    const mem = process.memoryUsage();
    rss({}, mem.rss);
    heap({}, mem.heapUsed);
    const usage = process.cpuUsage();
    cpu({}, (usage.user + usage.system) / 1e6);
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
