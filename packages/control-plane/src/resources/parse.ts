import { cpError, ErrorCode, isControlPlaneError } from '../errors.ts';
import { readEndpointSlice, readMeta, readPod, readService } from './core.ts';
import {
  readAuthorizationPolicy,
  readHTTPLocalRateLimitPolicy,
  readMeshTLSAuthentication,
  readNetworkAuthentication,
  readServer,
} from './policy-kinds.ts';
import { Reader } from './reader.ts';
import { readRoute } from './route.ts';
import { readServiceProfile } from './service-profile.ts';
import { suggestions } from './suggest.ts';
import type { Meta, Resource } from './types.ts';

type Parser = (doc: Reader, meta: Meta) => Resource;

// apiVersion group → kind → parser. Weft's own kinds keep Linkerd's shapes under
// weft.dev (ServiceProfile) and policy.weft.dev (the policy kinds).
const PARSERS: Record<string, Record<string, Parser>> = {
  '': { Service: readService, Pod: readPod },
  'discovery.k8s.io': { EndpointSlice: readEndpointSlice },
  'weft.dev': { ServiceProfile: readServiceProfile },
  'policy.weft.dev': {
    Server: readServer,
    AuthorizationPolicy: readAuthorizationPolicy,
    HTTPLocalRateLimitPolicy: readHTTPLocalRateLimitPolicy,
    MeshTLSAuthentication: readMeshTLSAuthentication,
    NetworkAuthentication: readNetworkAuthentication,
  },
  'gateway.networking.k8s.io': {
    HTTPRoute: (doc, meta) => readRoute('HTTPRoute', doc, meta),
    GRPCRoute: (doc, meta) => readRoute('GRPCRoute', doc, meta),
  },
};

/** The API groups that are Weft's to read: any kind in them is one it must know. */
const OWN_GROUPS = new Set(['weft.dev', 'policy.weft.dev', 'gateway.networking.k8s.io']);

/**
 * A kind the control plane does not know in a group it reads (`kind: Servr`
 * in policy.weft.dev): a typo that would otherwise be skipped in silence.
 * Worded for the user, with the kinds that are close.
 */
export function unknownKindProblem(apiVersion: string, kind: string): string | undefined {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  const kinds = PARSERS[group];
  if (!OWN_GROUPS.has(group) || !kinds || kinds[kind]) return undefined;
  const close = suggestions(kind, Object.keys(kinds));
  const hint = close.length > 0 ? `; did you mean ${close.join(' or ')}?` : `; it has ${Object.keys(kinds).join(', ')}`;
  return `unknown kind ${kind} in ${group}${hint}`;
}

/** Whether a document is of a kind the control plane reads; other kinds (Deployments, ConfigMaps …) are skipped. */
export function isKnownKind(apiVersion: unknown, kind: unknown): boolean {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return false;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  return PARSERS[group]?.[kind] !== undefined;
}

/**
 * Validates one Kubernetes-shaped object into a typed resource. Throws
 * WEFT_CP_INVALID_RESOURCE naming the kind, the object and the bad field.
 */
export function parseResource(raw: unknown, defaultNamespace = 'default'): Resource {
  const doc = new Reader(raw);
  const apiVersion = doc.field('apiVersion').string();
  const kind = doc.field('kind').string();
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  const parser = PARSERS[group]?.[kind] ?? doc.fail(`unsupported kind ${kind} in ${apiVersion}`);
  const name = doc.field('metadata').field('name').value;
  try {
    return parser(doc, readMeta(doc, defaultNamespace));
  } catch (err) {
    if (!isControlPlaneError(err)) throw err;
    const what = `${kind} ${typeof name === 'string' ? name : '(unnamed)'}`;
    throw cpError(ErrorCode.InvalidResource, `${what}: ${err.message.replace(/^WEFT_CP_\w+: /, '')}`, {
      kind,
      name,
      ...err.context,
    });
  }
}
