import type { BreakerSettings } from '../breaker/settings.ts';
import { durationMs, Reader, weightedAddr } from '../resolve/proto.ts';
import type { EndpointMeta } from '../resolve/update.ts';
import { decodeFailureAccrual } from './failure-accrual.ts';
import {
  DEFAULT_BUDGET,
  type Profile,
  type ProfileRoute,
  type RequestMatch,
  type ResponseClass,
  type ResponseMatch,
  type RetryBudget,
  type ValueMatch,
  type WeightedDst,
} from './profile.ts';

// weft.destination.DestinationProfile decoded by hand, as resolve/proto.ts
// does for Update: no protobuf runtime in the proxy. Unknown fields skipped.

/** HeaderMatch and QueryParamMatch: name = 1, oneof { exact = 2; regex = 3 }. */
function valueMatch(r: Reader): ValueMatch {
  let name = '';
  let exact = '';
  let regex: string | undefined;
  r.fields((n, w) => {
    if (w !== 2) return false;
    if (n === 1) name = r.string();
    else if (n === 2) {
      exact = r.string();
      regex = undefined;
    } else if (n === 3) regex = r.string();
    else return false;
    return true;
  });
  return { name, exact, regex };
}

function requestMatch(r: Reader, depth: number): RequestMatch | undefined {
  if (depth > 32) throw new Error('request match nested too deep');
  let out: RequestMatch | undefined;
  r.fields((n, w) => {
    if (w !== 2) return false;
    if (n === 1 || n === 2) {
      const seq = r.sub();
      const matches: RequestMatch[] = [];
      seq.fields((m, v) => {
        if (m !== 1 || v !== 2) return false;
        const inner = requestMatch(seq.sub(), depth + 1);
        if (inner) matches.push(inner);
        return true;
      });
      out = { kind: n === 1 ? 'all' : 'any', matches };
    } else if (n === 3) {
      const inner = requestMatch(r.sub(), depth + 1);
      if (inner) out = { kind: 'not', match: inner };
    } else if (n === 4) {
      const p = r.sub();
      let regex = '';
      p.fields((m, v) => {
        if (m !== 1 || v !== 2) return false;
        regex = p.string();
        return true;
      });
      out = { kind: 'path', regex };
    } else if (n === 5) out = { kind: 'method', method: r.string() };
    else if (n === 6) out = { kind: 'header', ...valueMatch(r.sub()) };
    else if (n === 7) out = { kind: 'query', ...valueMatch(r.sub()) };
    else return false;
    return true;
  });
  return out;
}

function responseMatch(r: Reader, depth: number): ResponseMatch | undefined {
  if (depth > 32) throw new Error('response match nested too deep');
  let out: ResponseMatch | undefined;
  r.fields((n, w) => {
    if (w !== 2) return false;
    if (n === 1 || n === 2) {
      const seq = r.sub();
      const matches: ResponseMatch[] = [];
      seq.fields((m, v) => {
        if (m !== 1 || v !== 2) return false;
        const inner = responseMatch(seq.sub(), depth + 1);
        if (inner) matches.push(inner);
        return true;
      });
      out = { kind: n === 1 ? 'all' : 'any', matches };
    } else if (n === 3) {
      const inner = responseMatch(r.sub(), depth + 1);
      if (inner) out = { kind: 'not', match: inner };
    } else if (n === 4) {
      const s = r.sub();
      let min = 0;
      let max = 0;
      s.fields((m, v) => {
        if (v !== 0) return false;
        if (m === 1) min = s.varint();
        else if (m === 2) max = s.varint();
        else return false;
        return true;
      });
      out = { kind: 'status', min, max };
    } else return false;
    return true;
  });
  return out;
}

function responseClass(r: Reader): ResponseClass {
  let condition: ResponseMatch | undefined;
  let isFailure = false;
  r.fields((n, w) => {
    if (n === 1 && w === 2) condition = responseMatch(r.sub(), 0);
    else if (n === 2 && w === 0) isFailure = r.varint() !== 0;
    else return false;
    return true;
  });
  return { condition, isFailure };
}

function route(r: Reader): ProfileRoute {
  let condition: RequestMatch | undefined;
  const responseClasses: ResponseClass[] = [];
  const labels: Record<string, string> = {};
  let isRetryable = false;
  let timeoutMs = 0;
  const backends: WeightedDst[] = [];
  r.fields((n, w) => {
    if (n === 1 && w === 2) condition = requestMatch(r.sub(), 0);
    else if (n === 2 && w === 2) responseClasses.push(responseClass(r.sub()));
    else if (n === 3 && w === 2) {
      const e = r.sub();
      let key = '';
      let value = '';
      e.fields((m, v) => {
        if (v !== 2) return false;
        if (m === 1) key = e.string();
        else if (m === 2) value = e.string();
        else return false;
        return true;
      });
      labels[key] = value;
    } else if (n === 4 && w === 0) isRetryable = r.varint() !== 0;
    else if (n === 5 && w === 2) timeoutMs = durationMs(r.sub());
    else if (n === 6 && w === 2) {
      const d = weightedDst(r.sub());
      if (d.authority) backends.push(d);
    } else return false;
    return true;
  });
  return { condition, responseClasses, labels, isRetryable, timeoutMs, backends };
}

function budget(r: Reader): RetryBudget {
  let ratio = DEFAULT_BUDGET.ratio;
  let minPerSecond = DEFAULT_BUDGET.minPerSecond;
  let ttlMs = DEFAULT_BUDGET.ttlMs;
  r.fields((n, w) => {
    if (n === 1 && w === 5) ratio = r.float32();
    else if (n === 2 && w === 0) minPerSecond = r.varint();
    else if (n === 3 && w === 2) ttlMs = durationMs(r.sub());
    else return false;
    return true;
  });
  if (!Number.isFinite(ratio) || ratio < 0) ratio = DEFAULT_BUDGET.ratio;
  return { ratio, minPerSecond, ttlMs: ttlMs > 0 ? ttlMs : DEFAULT_BUDGET.ttlMs };
}

function weightedDst(r: Reader): WeightedDst {
  let authority = '';
  let weight = 0;
  r.fields((n, w) => {
    if (n === 1 && w === 2) authority = r.string();
    else if (n === 2 && w === 0) weight = r.varint();
    else return false;
    return true;
  });
  return { authority, weight };
}

/** Decodes a weft.destination.DestinationProfile. */
export function decodeProfile(buf: Buffer): Profile {
  const r = new Reader(buf);
  let fqn = '';
  let opaque = false;
  const routes: ProfileRoute[] = [];
  let retryBudget = DEFAULT_BUDGET;
  const dstOverrides: WeightedDst[] = [];
  let failureAccrual: BreakerSettings | undefined;
  let endpoint: EndpointMeta | undefined;
  r.fields((n, w) => {
    if (n === 1 && w === 2) fqn = r.string();
    else if (n === 2 && w === 0) opaque = r.varint() !== 0;
    else if (n === 3 && w === 2) routes.push(route(r.sub()));
    else if (n === 4 && w === 2) retryBudget = budget(r.sub());
    else if (n === 5 && w === 2) {
      const d = weightedDst(r.sub());
      if (d.authority) dstOverrides.push(d);
    } else if (n === 6 && w === 2) failureAccrual = decodeFailureAccrual(r.sub());
    else if (n === 7 && w === 2) endpoint = weightedAddr(r.sub(), {});
    else return false;
    return true;
  });
  return { fqn, opaque, routes, retryBudget, dstOverrides, failureAccrual, endpoint };
}
