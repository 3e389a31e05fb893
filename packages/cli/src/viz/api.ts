import { isIP } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { RecorderSource } from '../metrics/recorder-source.ts';
import { VERSION } from '../version.ts';
import type { Inventory } from './client.ts';
import { registerDashboardApi } from './dashboard-api.ts';
import { registerDashboardAssets } from './dashboard-assets.ts';
import { decodeJsonExport, decodeProtobufExport } from './otlp/decode.ts';
import { protobufFromJsonExport } from './otlp/encode.ts';
import type { OtlpForwarder } from './otlp/forwarder.ts';
import type { SpanRecord } from './otlp/span.ts';
import type { TraceStore } from './otlp/trace-store.ts';
import type { Recorder } from './recorder.ts';
import { registerTapStream } from './tap-stream.ts';
import type { LocalProcess, MeshInfo } from './workload.ts';

// The viz server's HTTP API, read by the CLI from any terminal and by the
// dashboard it serves at /, plus OTLP/HTTP (/v1/traces) for exporters that
// speak HTTP rather than gRPC.

export interface ApiDeps {
  readonly recorder: Recorder;
  readonly traces: TraceStore;
  /** The user's collector, which gets every export received here too. */
  readonly forwarder?: OtlpForwarder;
  mesh(): MeshInfo;
  processes(): readonly LocalProcess[];
  otlpGrpcAddr(): string;
  /** For the checks and tap the pages run: the viz server's environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where .weft/ is, for the tap certificate `weft dev` issued the CLI. */
  readonly stateDir?: string;
  /** The built dashboard; a page saying how to build it is served while it is missing. */
  readonly assetsDir: string;
}

const MAX_WINDOW_S = 3600;

export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 16 << 20 });
  app.addContentTypeParser('application/x-protobuf', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // A web page the user opens elsewhere can point its own DNS name at 127.0.0.1 and read what a
  // loopback server answers it (DNS rebinding). The CLI, the proxies and the dashboard reach this
  // server by IP address or as localhost: any other Host is refused.
  app.addHook('onRequest', async (req, reply) => {
    if (!loopbackHost(req.headers.host)) {
      return reply
        .code(403)
        .send({ error: `the viz server answers only by IP address or localhost, not ${req.headers.host}` });
    }
  });

  app.get('/ready', async () => 'ready\n');

  const inventory = (): Inventory => ({
    version: VERSION,
    workloads: deps.recorder.targets().map((t) => ({ ...t.workload, health: t.health, scrapes: t.scrapes })),
    mesh: deps.mesh(),
    processes: deps.processes(),
    recorder: {
      intervalMs: deps.recorder.intervalMs,
      retentionMs: deps.recorder.retentionMs,
      oldestScrapeAt: Math.min(...deps.recorder.targets().map((t) => t.oldestAt ?? Number.POSITIVE_INFINITY)),
    },
    otlp: {
      grpc: deps.otlpGrpcAddr(),
      http: '/v1/traces',
      forwardedTo: deps.forwarder?.target,
      forwardFailures: deps.forwarder?.failures(),
    },
  });
  app.get('/api/v1/inventory', async () => inventory());

  const recorder = new RecorderSource({
    workloads: async () => inventory().workloads,
    scrapes: async (windowSeconds, at) => deps.recorder.pairs(windowSeconds * 1000, at),
  });
  registerDashboardApi(app, { recorder, inventory, env: deps.env });
  registerTapStream(app, { inventory, env: deps.env, stateDir: deps.stateDir });
  registerDashboardAssets(app, deps.assetsDir);

  app.get<{ Querystring: { window?: string; namespace?: string; at?: string } }>(
    '/api/v1/scrapes',
    async (req, reply) => {
      const window = Number(req.query.window ?? 60);
      if (!Number.isFinite(window) || window <= 0 || window > MAX_WINDOW_S) {
        return reply.code(400).send({ error: `window must be seconds in (0, ${MAX_WINDOW_S}]` });
      }
      const at = req.query.at === undefined ? Date.now() : Number(req.query.at);
      if (!Number.isFinite(at)) return reply.code(400).send({ error: 'at must be milliseconds since the epoch' });
      const pairs = deps.recorder
        .pairs(window * 1000, at)
        .filter((p) => !req.query.namespace || p.workload.namespace === req.query.namespace);
      return { windowSeconds: window, targets: pairs };
    },
  );

  app.get<{ Params: { namespace: string; pod: string } }>('/api/v1/metrics/:namespace/:pod', async (req, reply) => {
    const scrape = deps.recorder.latest(req.params.namespace, req.params.pod);
    if (!scrape) return reply.code(404).send({ error: `no scrape of pod ${req.params.namespace}/${req.params.pod}` });
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(scrape.text);
  });

  app.get<{ Querystring: { limit?: string; service?: string } }>('/api/v1/traces', async (req) => {
    const limit = Math.min(Math.max(Number(req.query.limit ?? 20) || 20, 1), 1000);
    return { traces: deps.traces.list(limit, req.query.service) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/traces/:id', async (req, reply) => {
    const spans = deps.traces.get(req.params.id);
    if (!spans) return reply.code(404).send({ error: `no trace ${req.params.id} among the recent ones` });
    return { traceId: req.params.id.toLowerCase(), spans };
  });

  app.post('/v1/traces', async (req, reply) => {
    let spans: SpanRecord[];
    const protobuf = Buffer.isBuffer(req.body);
    try {
      spans = protobuf ? decodeProtobufExport(req.body as Buffer) : decodeJsonExport(req.body);
    } catch (err) {
      return reply.code(400).send({ error: `not an OTLP trace export: ${(err as Error).message}` });
    }
    deps.traces.add(spans);
    // The proxies export OTLP JSON (no protobuf code on their hot path); a gRPC collector takes protobuf.
    deps.forwarder?.forward(
      protobuf ? (req.body as Buffer) : protobufFromJsonExport(req.body as Record<string, unknown>),
    );
    return protobuf ? reply.type('application/x-protobuf').send(Buffer.alloc(0)) : {};
  });

  return app;
}

/** `127.0.0.1:41234`, `[::1]:41234`, `localhost:41234`: a Host no DNS name can stand in for. */
function loopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || isIP(name) !== 0;
}
