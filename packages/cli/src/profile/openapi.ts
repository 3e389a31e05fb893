import { parse as parseYaml } from 'yaml';
import { CliError, CliErrorCode } from '../errors.ts';
import type { ResponseClass, RouteSpec } from './service-profile.ts';
import { DURATION, quoteMeta } from './service-profile.ts';

// Linkerd's order (pkg/profiles/openapi.go): paths sorted, then these methods.
const METHODS = ['delete', 'get', 'head', 'options', 'patch', 'post', 'put'] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A path template's regex: literal parts quoted, each `{param}` matching one segment. */
export function pathToRegex(path: string): string {
  return path
    .split(/\{[^}]*\}/)
    .map(quoteMeta)
    .join('[^/]*');
}

/** Where the spec mounts its paths: Swagger 2's basePath, or the path of OpenAPI 3's first server. */
function basePath(doc: Obj): string {
  if (typeof doc.basePath === 'string') return doc.basePath;
  const server = Array.isArray(doc.servers) ? doc.servers[0] : undefined;
  const url = isObj(server) && typeof server.url === 'string' ? server.url : '';
  if (url.startsWith('/')) return url;
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

const joinPath = (base: string, rel: string) => `/${[base, rel].join('/').split('/').filter(Boolean).join('/')}`;

/** Vendor extension: x-weft-*, falling back to Linkerd's x-linkerd-* so its specs carry over. */
const extension = (op: Obj, name: string): unknown => op[`x-weft-${name}`] ?? op[`x-linkerd-${name}`];

function responseClasses(responses: unknown): ResponseClass[] | undefined {
  if (!isObj(responses)) return undefined;
  const statuses = Object.keys(responses)
    .filter((k) => /^[1-5][0-9][0-9]$/.test(k))
    .map(Number)
    .sort((a, b) => a - b);
  if (statuses.length === 0) return undefined;
  return statuses.map((s) => ({
    condition: { status: { min: s, max: s } },
    ...(s >= 500 ? { isFailure: true as const } : {}),
  }));
}

/** Routes from a Swagger 2 or OpenAPI 3 document, JSON or YAML: one per path and method. */
export function routesFromOpenApi(text: string, source: string): RouteSpec[] {
  let doc: unknown;
  try {
    doc = parseYaml(text); // YAML is a superset of JSON, so one parser reads both.
  } catch (err) {
    throw new CliError(CliErrorCode.ParseInput, `${source}: ${(err as Error).message}`);
  }
  if (!isObj(doc) || (doc.swagger === undefined && doc.openapi === undefined) || !isObj(doc.paths)) {
    throw new CliError(CliErrorCode.ParseInput, `${source}: not an OpenAPI/Swagger document with "paths"`);
  }
  const base = basePath(doc);
  const routes: RouteSpec[] = [];
  for (const rel of Object.keys(doc.paths).sort()) {
    const item = doc.paths[rel];
    if (!isObj(item)) continue;
    const path = joinPath(base, rel);
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const name = `${method.toUpperCase()} ${path}`;
      const retryable = extension(op, 'retryable');
      const timeout = extension(op, 'timeout');
      if (timeout !== undefined && (typeof timeout !== 'string' || !DURATION.test(timeout))) {
        throw new CliError(
          CliErrorCode.Profile,
          `${source}: ${name}: x-weft-timeout "${String(timeout)}" is not a duration like 500ms`,
        );
      }
      const classes = responseClasses(op.responses);
      routes.push({
        name,
        condition: { method: method.toUpperCase(), pathRegex: pathToRegex(path) },
        ...(classes ? { responseClasses: classes } : {}),
        ...(retryable === true ? { isRetryable: true as const } : {}),
        ...(typeof timeout === 'string' ? { timeout } : {}),
      });
    }
  }
  if (routes.length === 0) throw new CliError(CliErrorCode.Profile, `${source}: the document declares no operations`);
  return routes;
}
