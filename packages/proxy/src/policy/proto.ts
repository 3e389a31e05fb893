import { Reader, stringField } from '../resolve/proto.ts';
import type {
  Authn,
  PolicyAuthz,
  PolicyNetwork,
  PolicyRateLimit,
  PolicyRoute,
  PolicyRouteMatch,
  ServerPolicy,
} from './server-policy.ts';

// weft.policy messages decoded by hand, as resolve/proto.ts does: no
// protobuf runtime in the proxy. Unknown fields are skipped.

function strings(r: Reader, field: number, into: Record<string, string>): void {
  let key = '';
  let value = '';
  r.fields((n, w) => {
    if (w !== 2) return false;
    if (n === 1) key = r.string();
    else if (n === 2) value = r.string();
    else return false;
    return true;
  });
  if (field >= 0) into[key] = value;
}

function network(r: Reader): PolicyNetwork {
  let net = '';
  const except: string[] = [];
  r.fields((n, w) => {
    if (w !== 2) return false;
    if (n === 1) net = r.string();
    else if (n === 2) except.push(r.string());
    else return false;
    return true;
  });
  return { net, except };
}

function authn(r: Reader): Authn | undefined {
  let out: Authn | undefined;
  r.fields((n, w) => {
    if (w !== 2) return false;
    if (n === 1) {
      r.sub();
      out = { kind: 'unauthenticated' };
    } else if (n === 2) {
      const m = r.sub();
      let any = false;
      const identities: string[] = [];
      const suffixes: string[] = [];
      m.fields((k, v) => {
        if (v !== 2) return false;
        if (k === 1) {
          m.sub();
          any = true;
        } else if (k === 2) {
          const ids = m.sub();
          ids.fields((j, x) => {
            if (x !== 2) return false;
            if (j === 1) identities.push(ids.string());
            else if (j === 2) suffixes.push(ids.string());
            else return false;
            return true;
          });
        } else return false;
        return true;
      });
      out = { kind: 'meshTls', any, identities, suffixes };
    } else return false;
    return true;
  });
  return out;
}

function authz(r: Reader): PolicyAuthz {
  const networks: PolicyNetwork[] = [];
  let auth: Authn | undefined;
  const labels: Record<string, string> = {};
  let audit = false;
  r.fields((n, w) => {
    if (n === 1 && w === 2) networks.push(network(r.sub()));
    else if (n === 2 && w === 2) auth = authn(r.sub());
    else if (n === 3 && w === 2) strings(r.sub(), 3, labels);
    else if (n === 4 && w === 0) audit = r.varint() !== 0;
    else return false;
    return true;
  });
  return { networks, authn: auth, labels, audit };
}

function routeMatch(r: Reader): PolicyRouteMatch {
  let path: PolicyRouteMatch['path'];
  let method = '';
  r.fields((n, w) => {
    if (w !== 2) return false;
    if (n === 1) path = { kind: 'exact', value: r.string() };
    else if (n === 2) path = { kind: 'prefix', value: r.string() };
    else if (n === 3) path = { kind: 'regex', value: r.string() };
    else if (n === 4) method = r.string();
    else return false;
    return true;
  });
  return { path, method };
}

function route(r: Reader): PolicyRoute {
  const labels: Record<string, string> = {};
  const matches: PolicyRouteMatch[] = [];
  const authorizations: PolicyAuthz[] = [];
  r.fields((n, w) => {
    if (w !== 2) return false;
    if (n === 1) strings(r.sub(), 1, labels);
    else if (n === 2) r.sub();
    else if (n === 3) matches.push(routeMatch(r.sub()));
    else if (n === 4) authorizations.push(authz(r.sub()));
    else return false;
    return true;
  });
  return { labels, matches, authorizations };
}

function rateLimitOverride(r: Reader): PolicyRateLimit['overrides'][number] {
  let rps = 0;
  const identities: string[] = [];
  r.fields((n, w) => {
    if (n === 1 && w === 0) rps = r.varint();
    else if (n === 2 && w === 2) identities.push(r.string());
    else return false;
    return true;
  });
  return { rps, identities };
}

function rateLimit(r: Reader): PolicyRateLimit {
  let totalRps = 0;
  let identityRps = 0;
  const overrides: PolicyRateLimit['overrides'][number][] = [];
  r.fields((n, w) => {
    if (n === 1 && w === 0) totalRps = r.varint();
    else if (n === 2 && w === 0) identityRps = r.varint();
    else if (n === 3 && w === 2) overrides.push(rateLimitOverride(r.sub()));
    else return false;
    return true;
  });
  return { totalRps, identityRps, overrides };
}

const KINDS = ['', 'detect', 'opaque', 'tls', 'http1', 'http2', 'grpc'];

function protocol(r: Reader): { kind: string; routes: PolicyRoute[]; rateLimit: PolicyRateLimit | undefined } {
  let kind = 'detect';
  const routes: PolicyRoute[] = [];
  let limit: PolicyRateLimit | undefined;
  r.fields((n, w) => {
    if (w !== 2 || n < 1 || n > 6) return false;
    kind = KINDS[n] as string;
    const body = r.sub();
    // Detect carries its routes in field 2 and its limit in 3; the HTTP kinds in 1 and 2.
    const routesField = n === 1 ? 2 : 1;
    const limitField = n === 1 ? 3 : 2;
    body.fields((k, v) => {
      if (v !== 2) return false;
      if (k === routesField && n !== 2 && n !== 3) routes.push(route(body.sub()));
      else if (k === limitField && n !== 2 && n !== 3) limit = rateLimit(body.sub());
      else return false;
      return true;
    });
    return true;
  });
  return { kind, routes, rateLimit: limit };
}

/** Decodes a weft.policy.Server. */
export function decodeServer(buf: Buffer): ServerPolicy {
  const r = new Reader(buf);
  let proto = { kind: 'detect', routes: [] as PolicyRoute[], rateLimit: undefined as PolicyRateLimit | undefined };
  const authorizations: PolicyAuthz[] = [];
  const labels: Record<string, string> = {};
  r.fields((n, w) => {
    if (w !== 2) return false;
    if (n === 1) proto = protocol(r.sub());
    else if (n === 2) authorizations.push(authz(r.sub()));
    else if (n === 3) strings(r.sub(), 3, labels);
    else return false;
    return true;
  });
  return { protocol: proto.kind, routes: proto.routes, rateLimit: proto.rateLimit, authorizations, labels };
}

/** Encodes a weft.policy.PortSpec. */
export function encodePortSpec(workload: string, port: number): Buffer {
  const head: number[] = [(2 << 3) | 0];
  let p = port;
  while (p >= 0x80) {
    head.push((p & 0x7f) | 0x80);
    p >>>= 7;
  }
  head.push(p);
  return Buffer.concat([stringField(1, workload), Buffer.from(head)]);
}
