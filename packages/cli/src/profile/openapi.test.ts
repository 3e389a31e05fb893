import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { pathToRegex, routesFromOpenApi } from './openapi.ts';

const spec = (paths: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ swagger: '2.0', paths, ...extra });

describe('routesFromOpenApi', () => {
  it('turns path parameters into one-segment wildcards and quotes the rest', () => {
    expect(pathToRegex('/books/{id}/pages/{page}')).toBe('/books/[^/]*/pages/[^/]*');
    expect(pathToRegex('/v1.0/search+all')).toBe('/v1\\.0/search\\+all');
    const re = new RegExp(`^${pathToRegex('/books/{id}')}$`);
    expect(re.test('/books/42')).toBe(true);
    expect(re.test('/books/42/extra')).toBe(false);
  });

  it('orders routes by path then method, under the basePath', () => {
    const routes = routesFromOpenApi(
      spec({ '/b': { post: {}, get: {} }, '/a/{id}': { delete: {} } }, { basePath: '/api' }),
      'spec.json',
    );
    expect(routes.map((r) => r.name)).toEqual(['DELETE /api/a/{id}', 'GET /api/b', 'POST /api/b']);
    expect(routes[0]?.condition).toEqual({ method: 'DELETE', pathRegex: '/api/a/[^/]*' });
  });

  it('reads x-weft-retryable and x-weft-timeout, and Linkerd’s x-linkerd-* as well', () => {
    const routes = routesFromOpenApi(
      spec({
        '/vote': { get: { 'x-weft-retryable': true, 'x-weft-timeout': '500ms' } },
        '/list': { get: { 'x-linkerd-retryable': true } },
        '/plain': { get: {} },
      }),
      'spec.json',
    );
    expect(routes).toEqual([
      { name: 'GET /list', condition: { method: 'GET', pathRegex: '/list' }, isRetryable: true },
      { name: 'GET /plain', condition: { method: 'GET', pathRegex: '/plain' } },
      { name: 'GET /vote', condition: { method: 'GET', pathRegex: '/vote' }, isRetryable: true, timeout: '500ms' },
    ]);
  });

  it('reads OpenAPI 3 in YAML, mounted at its server path', () => {
    const yaml = stringify({
      openapi: '3.0.3',
      servers: [{ url: 'https://books.example/v2' }],
      paths: { '/x': { put: {} } },
    });
    expect(routesFromOpenApi(yaml, 'spec.yaml').map((r) => r.name)).toEqual(['PUT /v2/x']);
  });

  it('rejects documents that are not OpenAPI, declare nothing, or have a bad timeout', () => {
    expect(() => routesFromOpenApi('{"paths": ', 'a.json')).toThrow(/a\.json/);
    expect(() => routesFromOpenApi('{"hello": 1}', 'a.json')).toThrow(/not an OpenAPI\/Swagger document/);
    expect(() => routesFromOpenApi(spec({}), 'a.json')).toThrow(/declares no operations/);
    expect(() => routesFromOpenApi(spec({ '/x': { get: { 'x-weft-timeout': 'soon' } } }), 'a.json')).toThrow(
      /x-weft-timeout "soon" is not a duration/,
    );
  });
});
