import type { Reader } from './reader.ts';
import type {
  AuthorizationPolicy,
  HTTPLocalRateLimitPolicy,
  LabelSelector,
  MeshTLSAuthentication,
  Meta,
  NetworkAuthentication,
  PolicyServer,
  ProtocolName,
  TargetRef,
} from './types.ts';

const PROTOCOLS: readonly ProtocolName[] = ['unknown', 'HTTP/1', 'HTTP/2', 'gRPC', 'opaque', 'TLS'];
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

export function readSelector(r: Reader): LabelSelector {
  return {
    matchLabels: r.field('matchLabels').stringMap(),
    matchExpressions: r
      .field('matchExpressions')
      .items()
      .map((e) => ({
        key: e.field('key').string(),
        operator: e.field('operator').oneOf(OPERATORS, 'In'),
        values: e
          .field('values')
          .items()
          .map((v) => v.string()),
      })),
  };
}

export function readTargetRef(r: Reader): TargetRef {
  return {
    group: r.field('group').present ? String(r.field('group').value) : '',
    kind: r.field('kind').string(),
    name: r.field('name').string(),
    namespace: r.field('namespace').optString(),
  };
}

export function readServer(doc: Reader, meta: Meta): PolicyServer {
  const spec = doc.field('spec');
  if (!spec.field('podSelector').present) spec.field('podSelector').fail('a Server needs a podSelector');
  return {
    kind: 'Server',
    meta,
    podSelector: readSelector(spec.field('podSelector')),
    port: spec.field('port').portOrName(),
    proxyProtocol: spec.field('proxyProtocol').oneOf(PROTOCOLS, 'unknown'),
    accessPolicy: spec.field('accessPolicy').optString() ?? 'deny',
  };
}

export function readAuthorizationPolicy(doc: Reader, meta: Meta): AuthorizationPolicy {
  const spec = doc.field('spec');
  const refs = spec
    .field('requiredAuthenticationRefs')
    .items()
    .map((r) => readTargetRef(r));
  return {
    kind: 'AuthorizationPolicy',
    meta,
    targetRef: readTargetRef(spec.field('targetRef')),
    requiredAuthenticationRefs: refs,
  };
}

const rps = (r: Reader) => {
  const n = r.field('requestsPerSecond').optNumber();
  if (n !== undefined && (!Number.isInteger(n) || n < 0))
    r.field('requestsPerSecond').fail('expected a whole number ≥ 0');
  return n;
};

/** Linkerd's HTTPLocalRateLimitPolicy: limits for the port of the Server it targets. */
export function readHTTPLocalRateLimitPolicy(doc: Reader, meta: Meta): HTTPLocalRateLimitPolicy {
  const spec = doc.field('spec');
  const overrides = spec
    .field('overrides')
    .items()
    .map((o) => ({
      rps: rps(o) ?? o.field('requestsPerSecond').fail('an override needs requestsPerSecond'),
      clientRefs: o
        .field('clientRefs')
        .items()
        .map((r) => readTargetRef(r)),
    }));
  return {
    kind: 'HTTPLocalRateLimitPolicy',
    meta,
    targetRef: readTargetRef(spec.field('targetRef')),
    totalRps: spec.field('total').present ? rps(spec.field('total')) : undefined,
    identityRps: spec.field('identity').present ? rps(spec.field('identity')) : undefined,
    overrides,
  };
}

export function readMeshTLSAuthentication(doc: Reader, meta: Meta): MeshTLSAuthentication {
  const spec = doc.field('spec');
  const identities = spec
    .field('identities')
    .items()
    .map((i) => i.string());
  const identityRefs = spec
    .field('identityRefs')
    .items()
    .map((r) => readTargetRef(r));
  if (identities.length === 0 && identityRefs.length === 0) spec.fail('needs identities or identityRefs');
  return { kind: 'MeshTLSAuthentication', meta, identities, identityRefs };
}

const CIDR = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]+)(?:\/\d{1,3})?$/;

export function readNetworkAuthentication(doc: Reader, meta: Meta): NetworkAuthentication {
  const spec = doc.field('spec');
  const cidr = (r: Reader) => {
    const s = r.string();
    if (!CIDR.test(s)) r.fail(`"${s}" is not a CIDR such as 10.0.0.0/8`);
    return s;
  };
  const networks = spec
    .field('networks')
    .items()
    .map((n) => ({
      cidr: cidr(n.field('cidr')),
      except: n
        .field('except')
        .items()
        .map((e) => cidr(e)),
    }));
  if (networks.length === 0) spec.field('networks').fail('needs at least one network');
  return { kind: 'NetworkAuthentication', meta, networks };
}
