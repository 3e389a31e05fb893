import type { Reader } from './reader.ts';
import type { Meta, RequestCondition, ResponseCondition, ServiceProfile } from './types.ts';

function readRequestCondition(r: Reader): RequestCondition {
  const c: RequestCondition = {};
  const method = r.field('method').optString();
  if (method) c.method = method.toUpperCase();
  const pathRegex = r.field('pathRegex').optString();
  if (pathRegex !== undefined) {
    try {
      new RegExp(pathRegex);
    } catch (err) {
      r.field('pathRegex').fail(`invalid regular expression: ${(err as Error).message}`);
    }
    c.pathRegex = pathRegex;
  }
  if (r.field('all').present) c.all = r.field('all').items().map(readRequestCondition);
  if (r.field('any').present) c.any = r.field('any').items().map(readRequestCondition);
  if (r.field('not').present) c.not = readRequestCondition(r.field('not'));
  if (Object.keys(c).length === 0) r.fail('a condition needs method, pathRegex, all, any or not');
  return c;
}

function readResponseCondition(r: Reader): ResponseCondition {
  const c: ResponseCondition = {};
  const status = r.field('status');
  if (status.present) c.status = { min: status.field('min').optNumber(), max: status.field('max').optNumber() };
  if (r.field('all').present) c.all = r.field('all').items().map(readResponseCondition);
  if (r.field('any').present) c.any = r.field('any').items().map(readResponseCondition);
  if (r.field('not').present) c.not = readResponseCondition(r.field('not'));
  return c;
}

/** Kubernetes quantity ("1", "500m", 0.5, 90) as decimillis: 1 → 10000. */
export function quantityToDecimillis(r: Reader): number {
  const v = r.value;
  const m = typeof v === 'number' ? [String(v), String(v), ''] : /^(\d+(?:\.\d+)?)(m?)$/.exec(String(v ?? ''));
  if (!m) r.fail(`expected a weight such as 1, 500m or 90, got ${JSON.stringify(v)}`);
  const n = Number(m[1]) * (m[2] === 'm' ? 10 : 10000);
  if (!Number.isFinite(n) || n < 0 || n > 0xffffffff) r.fail(`weight ${String(v)} is out of range`);
  return Math.round(n);
}

export function readServiceProfile(doc: Reader, meta: Meta): ServiceProfile {
  const spec = doc.field('spec');
  const routes = spec
    .field('routes')
    .items()
    .map((route) => ({
      name: route.field('name').string(),
      condition: readRequestCondition(route.field('condition')),
      responseClasses: route
        .field('responseClasses')
        .items()
        .map((rc) => ({
          condition: readResponseCondition(rc.field('condition')),
          isFailure: rc.field('isFailure').bool(),
        })),
      isRetryable: route.field('isRetryable').bool(),
      timeoutMs: route.field('timeout').durationMs(),
    }));
  const budget = spec.field('retryBudget');
  const retryBudget = budget.present
    ? {
        retryRatio: budget.field('retryRatio').number(),
        minRetriesPerSecond: budget.field('minRetriesPerSecond').number(),
        ttlMs: budget.field('ttl').durationMs() ?? 10_000,
      }
    : undefined;
  const dstOverrides = spec
    .field('dstOverrides')
    .items()
    .map((d) => ({ authority: d.field('authority').string(), weight: quantityToDecimillis(d.field('weight')) }));
  const opaquePorts = spec
    .field('opaquePorts')
    .items()
    .map((p) => p.port());
  return { kind: 'ServiceProfile', meta, routes, retryBudget, dstOverrides, opaquePorts };
}
