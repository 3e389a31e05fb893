import type { FastifyInstance } from 'fastify';
import { CliError, CliErrorCode } from '../errors.ts';
import type { Inventory } from './client.ts';
import { sendCliError } from './dashboard-api.ts';
import { parseResource } from './resource.ts';
import { tapCredentials, tapTargets, watchTap } from './tap-client.ts';

// `weft tap` for the dashboard: the viz server taps the named workload's
// proxies with the CLI's certificate, exactly as `weft tap` does, and streams
// the events to the page as JSON lines, each with the pod it came from. The
// stream ends when the page goes away (pause, another page, a closed tab).

interface TapQuery {
  namespace?: string;
  resource?: string;
  path?: string;
  method?: string;
  authority?: string;
  maxRps?: string;
}

const DEFAULT_MAX_RPS = 100;

export function registerTapStream(
  app: FastifyInstance,
  deps: { inventory(): Inventory; env: Readonly<Record<string, string | undefined>>; stateDir?: string },
): void {
  app.get<{ Querystring: TapQuery }>('/api/v1/tap', async (req, reply) => {
    let start: () => void;
    try {
      const q = req.query;
      const resource = parseResource([q.resource ?? ''], ['deployment', 'pod']);
      if (!resource.name) throw new CliError(CliErrorCode.Usage, 'name the workload to tap, e.g. deploy/web');
      const namespace = q.namespace || 'default';
      const maxRps = q.maxRps === undefined ? DEFAULT_MAX_RPS : Number(q.maxRps);
      if (!(maxRps > 0 && maxRps <= 1000)) throw new CliError(CliErrorCode.Usage, 'maxRps must be in (0, 1000]');
      const inventory = deps.inventory();
      const tappable = tapTargets(inventory, resource, namespace);
      const creds = tapCredentials(deps.env, inventory.mesh, deps.stateDir);
      const match = {
        pathPrefix: q.path || undefined,
        method: q.method || undefined,
        authority: q.authority || undefined,
      };
      start = () => {
        const stopped = new AbortController();
        reply.raw.on('close', () => stopped.abort());
        const out = reply.raw;
        out.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
        // Headers now, so the page knows the tap started before the first request passes.
        out.flushHeaders();
        void Promise.all(
          tappable.map((w) =>
            watchTap(w, creds, {
              match,
              maxRps,
              signal: stopped.signal,
              onEvent: (e) => {
                if (!out.writableEnded) out.write(`${JSON.stringify({ ...e, pod: w.pod })}\n`);
              },
            }),
          ),
        )
          .catch((err: Error) => {
            if (!out.writableEnded) out.write(`${JSON.stringify({ error: err.message })}\n`);
          })
          .finally(() => {
            stopped.abort();
            out.end();
          });
      };
    } catch (err) {
      return sendCliError(reply, err);
    }
    reply.hijack();
    start();
  });
}
