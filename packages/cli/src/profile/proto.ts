import protobuf from 'protobufjs';
import { CliError, CliErrorCode } from '../errors.ts';
import type { RouteSpec } from './service-profile.ts';
import { quoteMeta } from './service-profile.ts';

// RPCs safe to retry: the proto's own declaration that a call may be repeated.
const RETRYABLE = new Set(['IDEMPOTENT', 'NO_SIDE_EFFECTS']);

function services(ns: protobuf.NamespaceBase): protobuf.Service[] {
  const found: protobuf.Service[] = [];
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Service) found.push(nested);
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) found.push(...services(nested));
  }
  return found;
}

/** Routes from a .proto file: one per RPC, POST to /<package>.<Service>/<Method>, as gRPC sends it. */
export function routesFromProto(text: string, source: string): RouteSpec[] {
  let root: protobuf.Root;
  try {
    root = protobuf.parse(text, { keepCase: true, alternateCommentMode: true }).root;
  } catch (err) {
    throw new CliError(CliErrorCode.ParseInput, `${source}: ${(err as Error).message}`);
  }
  const routes: RouteSpec[] = [];
  for (const service of services(root)) {
    const fullName = service.fullName.replace(/^\./, '');
    for (const method of service.methodsArray) {
      const level = method.options?.idempotency_level;
      routes.push({
        name: method.name,
        condition: { method: 'POST', pathRegex: quoteMeta(`/${fullName}/${method.name}`) },
        ...(typeof level === 'string' && RETRYABLE.has(level) ? { isRetryable: true as const } : {}),
      });
    }
  }
  if (routes.length === 0)
    throw new CliError(CliErrorCode.Profile, `${source}: the file declares no service with RPCs`);
  return routes;
}
