import type { FastifyInstance, FastifyReply } from 'fastify';
import { CliError, CliErrorCode } from '../errors.ts';
import { PrometheusSource } from '../metrics/prometheus-source.ts';
import type { MetricsSource } from '../metrics/source.ts';
import { parseWindow } from '../output/format.ts';
import { edgesJson, routesJson } from '../output/json-rows.ts';
import { statJson } from '../output/stat-table.ts';
import { checksJson } from './check/result.ts';
import { runChecks } from './check/run-checks.ts';
import type { Inventory } from './client.ts';
import { edges, workloadIndex } from './edges.ts';
import { parseResource } from './resource.ts';
import { readResourceFolder } from './resource-folder.ts';
import { routes } from './routes.ts';
import { stat } from './stat.ts';
import { top } from './top.ts';
import { identitiesOf } from './workload.ts';

// The figures of `weft stat`, `routes`, `edges`, `top` and `check` as JSON,
// for the dashboard: each endpoint runs the command's own query code and
// answers the rows its `-o json` prints, from the viz recorder in process or,
// with ?prometheus=URL, from that Prometheus, as --prometheus does. The stat
// series is the same `weft stat` at past moments, for the pages' charts.

export interface DashboardApiDeps {
  /** The viz recorder, read in process. */
  readonly recorder: MetricsSource;
  inventory(): Inventory;
  readonly env: Readonly<Record<string, string | undefined>>;
}

interface Common {
  namespace?: string;
  window?: string;
  prometheus?: string;
}

/** Points a series may have: each is a full `weft stat` over the recorder or Prometheus. */
const MAX_POINTS = 60;

const HTTP_STATUS: Partial<Record<CliErrorCode, number>> = {
  [CliErrorCode.Usage]: 400,
  [CliErrorCode.NotFound]: 404,
  [CliErrorCode.Prometheus]: 502,
};

/** A failed query as the page shows it: the CLI's message and code, and a status that says whose fault it is. */
export function sendCliError(reply: FastifyReply, err: unknown) {
  if (err instanceof CliError) {
    return reply.code(HTTP_STATUS[err.code] ?? 500).send({ error: err.message, code: err.code });
  }
  return reply.code(500).send({ error: (err as Error).message ?? String(err) });
}

export function registerDashboardApi(app: FastifyInstance, deps: DashboardApiDeps): void {
  const sourceOf = (q: Common): MetricsSource => {
    if (!q.prometheus) return deps.recorder;
    if (!/^https?:\/\/[^/]+/.test(q.prometheus)) {
      throw new CliError(CliErrorCode.Usage, `prometheus must be an http(s) URL, not "${q.prometheus}"`);
    }
    return new PrometheusSource(q.prometheus);
  };
  const windowOf = (q: Common, fallback: string) => parseWindow(q.window ?? fallback);
  const namespaceOf = (q: Common) => q.namespace || undefined;

  app.get<{ Querystring: Common & { resource?: string; from?: string } }>('/api/v1/stat', async (req, reply) => {
    try {
      const q = req.query;
      const resource = parseResource([q.resource ?? 'deploy'], ['deployment', 'pod', 'service', 'route']);
      const from = q.from ? parseResource([q.from], ['deployment', 'pod']) : undefined;
      const result = await stat(sourceOf(q), {
        resource,
        namespace: namespaceOf(q),
        windowSeconds: windowOf(q, '1m'),
        from,
      });
      return { rows: statJson(result.rows, result.windowSeconds), windowSeconds: result.windowSeconds };
    } catch (err) {
      return sendCliError(reply, err);
    }
  });

  app.get<{ Querystring: Common & { resource?: string; from?: string; range?: string; step?: string } }>(
    '/api/v1/stat/series',
    async (req, reply) => {
      try {
        const q = req.query;
        const resource = parseResource([q.resource ?? 'deploy'], ['deployment', 'pod', 'service', 'route']);
        const from = q.from ? parseResource([q.from], ['deployment', 'pod']) : undefined;
        const windowSeconds = windowOf(q, '1m');
        const rangeSeconds = parseWindow(q.range ?? '5m');
        const stepSeconds = parseWindow(q.step ?? '15s');
        if (rangeSeconds / stepSeconds > MAX_POINTS) {
          throw new CliError(CliErrorCode.Usage, `range/step must be at most ${MAX_POINTS} points`);
        }
        const source = sourceOf(q);
        const now = Date.now();
        const ats: number[] = [];
        for (let back = rangeSeconds; back >= 0; back -= stepSeconds) ats.push(now - back * 1000);
        const points = await Promise.all(
          ats.map(async (at) => {
            const r = await stat(source, { resource, namespace: namespaceOf(q), windowSeconds, from, at });
            return { at, rows: statJson(r.rows, r.windowSeconds) };
          }),
        );
        return { windowSeconds, stepSeconds, points };
      } catch (err) {
        return sendCliError(reply, err);
      }
    },
  );

  app.get<{ Querystring: Common & { deployment?: string; to?: string } }>('/api/v1/routes', async (req, reply) => {
    try {
      const q = req.query;
      if (!q.deployment || !q.namespace) {
        throw new CliError(CliErrorCode.Usage, 'routes needs a namespace and a deployment');
      }
      const source = sourceOf(q);
      const pods = (await source.pods()).filter((p) => p.namespace === q.namespace && p.deployment === q.deployment);
      const result = await routes(source, {
        namespace: q.namespace,
        deployment: q.deployment,
        windowSeconds: windowOf(q, '1m'),
        services: [...new Set(pods.flatMap((p) => p.services))].sort(),
        toService: q.to || undefined,
      });
      return {
        rows: routesJson(result.rows, result.windowSeconds, Boolean(q.to)),
        windowSeconds: result.windowSeconds,
      };
    } catch (err) {
      return sendCliError(reply, err);
    }
  });

  app.get<{ Querystring: Common }>('/api/v1/edges', async (req, reply) => {
    try {
      const source = sourceOf(req.query);
      const identities = identitiesOf(deps.inventory().workloads);
      const rows = await edges(source, workloadIndex(await source.pods(), identities), {
        namespace: namespaceOf(req.query),
        windowSeconds: windowOf(req.query, '1m'),
      });
      return { rows: edgesJson(rows) };
    } catch (err) {
      return sendCliError(reply, err);
    }
  });

  app.get<{ Querystring: Common & { deployment?: string } }>('/api/v1/top', async (req, reply) => {
    try {
      const q = req.query;
      return await top(sourceOf(q), identitiesOf(deps.inventory().workloads), {
        namespace: namespaceOf(q),
        deployment: q.deployment || undefined,
        windowSeconds: windowOf(q, '10s'),
      });
    } catch (err) {
      return sendCliError(reply, err);
    }
  });

  app.get('/api/v1/resources', async (_req, reply) => {
    const dir = deps.inventory().mesh.resourcesDir;
    if (!dir) return reply.code(404).send({ error: 'this mesh reads no resource folder (not started by `weft dev`)' });
    return readResourceFolder(dir);
  });

  app.get('/api/v1/check', async () => {
    const { categories, processes } = await runChecks(async () => deps.inventory(), deps.env);
    return { ...checksJson(categories), processes };
  });
}
