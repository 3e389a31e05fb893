import type { Reader } from './reader.ts';
import type { Meta, Route, RouteMatch, ValueMatch } from './types.ts';

const PATH_TYPES = ['Exact', 'PathPrefix', 'RegularExpression'] as const;
const VALUE_TYPES = ['Exact', 'RegularExpression'] as const;

function readValueMatches(list: Reader): ValueMatch[] | undefined {
  if (!list.present) return undefined;
  return list.items().map((h) => {
    const type = h.field('type').oneOf(VALUE_TYPES, 'Exact');
    const value = h.field('value').string();
    if (type === 'RegularExpression') {
      try {
        new RegExp(value);
      } catch (err) {
        h.field('value').fail(`invalid regular expression: ${(err as Error).message}`);
      }
    }
    return { type, name: h.field('name').string(), value };
  });
}

function readHttpMatch(m: Reader): RouteMatch {
  const out: RouteMatch = {};
  const path = m.field('path');
  if (path.present) {
    out.path = {
      type: path.field('type').oneOf(PATH_TYPES, 'PathPrefix'),
      value: path.field('value').optString() ?? '/',
    };
    if (out.path.type === 'RegularExpression') {
      try {
        new RegExp(out.path.value);
      } catch (err) {
        path.field('value').fail(`invalid regular expression: ${(err as Error).message}`);
      }
    }
  }
  const method = m.field('method').optString();
  if (method) out.method = method.toUpperCase();
  const headers = readValueMatches(m.field('headers'));
  if (headers) out.headers = headers;
  const queryParams = readValueMatches(m.field('queryParams'));
  if (queryParams) out.queryParams = queryParams;
  return out;
}

function readGrpcMatch(m: Reader): RouteMatch {
  const method = m.field('method');
  const out: RouteMatch = {
    grpc: { service: method.field('service').optString(), method: method.field('method').optString() },
  };
  const headers = readValueMatches(m.field('headers'));
  if (headers) out.headers = headers;
  return out;
}

/** Gateway API HTTPRoute and GRPCRoute; a parentRef of kind Service makes it an outbound (GAMMA) route. */
export function readRoute(kind: Route['kind'], doc: Reader, meta: Meta): Route {
  const spec = doc.field('spec');
  const parentRefs = spec
    .field('parentRefs')
    .items()
    .map((p) => ({
      group: p.field('group').present ? String(p.field('group').value) : 'gateway.networking.k8s.io',
      kind: p.field('kind').optString() ?? 'Gateway',
      name: p.field('name').string(),
      namespace: p.field('namespace').optString(),
      port: p.field('port').present ? p.field('port').port() : undefined,
    }));
  const rules = spec
    .field('rules')
    .items()
    .map((rule) => ({
      name: rule.field('name').optString(),
      matches: rule
        .field('matches')
        .items()
        .map(kind === 'HTTPRoute' ? readHttpMatch : readGrpcMatch),
      backendRefs: rule
        .field('backendRefs')
        .items()
        .map((b) => {
          const weight = b.field('weight').optNumber() ?? 1;
          if (weight < 0 || !Number.isInteger(weight)) b.field('weight').fail('expected a whole number ≥ 0');
          return {
            name: b.field('name').string(),
            namespace: b.field('namespace').optString(),
            port: b.field('port').present ? b.field('port').port() : undefined,
            weight,
          };
        }),
      timeoutMs: rule.field('timeouts').field('request').durationMs(),
    }));
  const hostnames = spec
    .field('hostnames')
    .items()
    .map((h) => h.string());
  return { kind, meta, parentRefs, hostnames, rules };
}
