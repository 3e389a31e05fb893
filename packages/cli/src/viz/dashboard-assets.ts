import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { FastifyInstance } from 'fastify';

// The dashboard's built pages (packages/dashboard/dist), served at / by the
// viz server. They are read from disk on each request, so a rebuild shows on
// the next reload. Before a build there is a page that says how to make one,
// never a bare 404.

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Weft dashboard</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>The Weft dashboard is not built</h1>
<p>Build it with <code>pnpm --filter @weft/dashboard build</code> (<code>npm run dev</code> builds it
before it starts the mesh), then reload this page. The viz API answers meanwhile under
<a href="/api/v1/inventory">/api/v1/inventory</a>.</p>
</body></html>
`;

export function registerDashboardAssets(app: FastifyInstance, assetsDir: string): void {
  app.get('/', async (_req, reply) => {
    const index = await readFile(join(assetsDir, 'index.html')).catch(() => undefined);
    reply.header('cache-control', 'no-store');
    if (!index)
      return reply
        .code(503)
        .type(TYPES['.html'] as string)
        .send(NOT_BUILT);
    return reply.type(TYPES['.html'] as string).send(index);
  });

  app.get<{ Params: { '*': string } }>('/assets/*', async (req, reply) => {
    const relative = normalize(req.params['*']);
    const type = TYPES[extname(relative)];
    if (relative.startsWith('..') || relative.includes('\0') || !type) {
      return reply.code(404).send({ error: `no dashboard asset ${req.params['*']}` });
    }
    const body = await readFile(join(assetsDir, 'assets', relative)).catch(() => undefined);
    if (!body) return reply.code(404).send({ error: `no dashboard asset ${req.params['*']}` });
    // Vite names every asset after a hash of its content.
    return reply.header('cache-control', 'public, max-age=31536000, immutable').type(type).send(body);
  });
}
