import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import type { NamespaceLookup } from './admission.ts';
import { review } from './admission.ts';
import type { InjectorConfig } from './config.ts';
import { InjectorErrorCode } from './errors.ts';
import { InjectorMetrics } from './metrics.ts';

export interface WebhookOptions {
  readonly config: InjectorConfig;
  readonly lookupNamespace: NamespaceLookup;
  /** PEM key and certificate; the API server only calls webhooks over HTTPS. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Largest AdmissionReview accepted; the API server caps objects near 1.5 MiB. */
  readonly bodyLimit?: number;
  readonly logger?: boolean;
}

/** The injector's Fastify app: POST /inject answers AdmissionReviews; GET /ready for probes, GET /metrics. */
export function buildWebhook(opts: WebhookOptions): FastifyInstance {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 3 * 1024 * 1024,
    ...(opts.tls ? { https: { key: opts.tls.key, cert: opts.tls.cert } } : {}),
  }) as unknown as FastifyInstance;

  // Unparseable, oversized or non-JSON bodies never reach the handler: they get
  // a 4xx with a stable code instead of Fastify's default text.
  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const code = status < 500 ? InjectorErrorCode.InvalidReview : InjectorErrorCode.Internal;
    void reply.code(status).send({ code, message: err.message });
  });

  const metrics = new InjectorMetrics();
  app.post('/inject', async (req) => {
    const { body, outcome } = await review(req.body, opts.config, opts.lookupNamespace);
    metrics.record(outcome);
    return body;
  });
  app.get('/ready', async () => ({ ready: true }));
  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4').send(metrics.render()));
  return app;
}
