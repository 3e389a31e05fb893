import Fastify, { type FastifyInstance } from 'fastify';
import { EmojivotoError } from '../errors.ts';
import { traceHttpServer } from '../tracing/http-server-span.ts';
import { type Backends, registerApiRoutes } from './api-routes.ts';
import { indexHtml } from './index-html.ts';
import type { UiAssets } from './ui-assets.ts';

export interface WebOptions {
  readonly backends: Backends;
  readonly assets: UiAssets;
  readonly messageOfTheDay: string;
}

/** web: the JSON API over the two gRPC services, and the single-page UI. */
export function buildWebServer(options: WebOptions): FastifyInstance {
  const app = Fastify({ logger: false, return503OnClosing: true });
  traceHttpServer(app);

  // Go's FormValue also reads `choice` from a urlencoded POST body.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  registerApiRoutes(app, options.backends);

  app.get('/js', async (_request, reply) => {
    reply.type('text/javascript; charset=utf-8');
    return options.assets.script();
  });
  app.get('/css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(options.assets.css));

  const html = indexHtml(options.messageOfTheDay);
  app.setNotFoundHandler((_request, reply) => reply.code(200).type('text/html; charset=utf-8').send(html));

  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const statusCode = error instanceof EmojivotoError ? 500 : (error.statusCode ?? 500);
    reply
      .code(statusCode >= 400 && statusCode < 600 ? statusCode : 500)
      .type('application/json; charset=UTF-8')
      .send({ error: error.message });
  });
  return app;
}
