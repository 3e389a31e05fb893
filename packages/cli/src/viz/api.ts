import Fastify, { type FastifyInstance } from 'fastify';
import { VERSION } from '../version.ts';
import { decodeJsonExport, decodeProtobufExport } from './otlp/decode.ts';
import { protobufFromJsonExport } from './otlp/encode.ts';
import type { OtlpForwarder } from './otlp/forwarder.ts';
import type { SpanRecord } from './otlp/span.ts';
import type { TraceStore } from './otlp/trace-store.ts';
import type { Recorder } from './recorder.ts';
import type { LocalProcess, MeshInfo } from './workload.ts';

// The viz server's HTTP API, read by the CLI from any terminal, plus OTLP/HTTP
// (/v1/traces) for exporters that speak HTTP rather than gRPC.

export interface ApiDeps {
  readonly recorder: Recorder;
  readonly traces: TraceStore;
  /** The user's collector, which gets every export received here too. */
  readonly forwarder?: OtlpForwarder;
  mesh(): MeshInfo;
  processes(): readonly LocalProcess[];
  otlpGrpcAddr(): string;
}

const MAX_WINDOW_S = 3600;

export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 16 << 20 });
  app.addContentTypeParser('application/x-protobuf', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.get('/ready', async () => 'ready\n');

  app.get('/api/v1/inventory', async () => ({
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
  }));

  app.get<{ Querystring: { window?: string; namespace?: string } }>('/api/v1/scrapes', async (req, reply) => {
    const window = Number(req.query.window ?? 60);
    if (!Number.isFinite(window) || window <= 0 || window > MAX_WINDOW_S) {
      return reply.code(400).send({ error: `window must be seconds in (0, ${MAX_WINDOW_S}]` });
    }
    const pairs = deps.recorder
      .pairs(window * 1000)
      .filter((p) => !req.query.namespace || p.workload.namespace === req.query.namespace);
    return { windowSeconds: window, targets: pairs };
  });

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
