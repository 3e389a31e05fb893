import type { K8sObject } from './k8s-object.ts';

// Built-in kinds (and Gateway API routes) are checked with kubernetes-models:
// one class per kind whose validate() runs a validator compiled from the
// Kubernetes OpenAPI schema (types, required fields, enums, formats). Chosen
// over JSON-schema packages because it is maintained for current Kubernetes
// releases (native sidecars' restartPolicy, 1.28+, is in it) and its
// companion @kubernetes-models/gateway-api covers HTTPRoute and GRPCRoute.

interface SchemaError {
  readonly instancePath?: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}
type ModelClass = new (data: unknown) => { validate(): void };

/** Where each API group's models live; the core group ("v1") has no prefix. */
const PACKAGES: readonly { readonly group: RegExp; readonly pkg: string }[] = [
  { group: /^gateway\.networking\.k8s\.io\//, pkg: '@kubernetes-models/gateway-api' },
  { group: /^(?:v1$|[a-z0-9.-]+\/v\d+(?:(?:alpha|beta)\d+)?$)/, pkg: 'kubernetes-models' },
];

const cache = new Map<string, Promise<ModelClass | undefined>>();

function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const key = `${apiVersion}/${kind}`;
  let found = cache.get(key);
  if (!found) {
    const pkg = PACKAGES.find((p) => p.group.test(apiVersion))?.pkg;
    found =
      pkg && /^[A-Z]\w*$/.test(kind)
        ? import(`${pkg}/${apiVersion}/${kind}`).then(
            (m: Record<string, ModelClass | undefined>) => m[kind],
            () => undefined,
          )
        : Promise.resolve(undefined);
    cache.set(key, found);
  }
  return found;
}

const describe = (e: SchemaError): string => {
  const allowed = e.params?.allowedValues;
  return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${Array.isArray(allowed) ? ` (${allowed.join(', ')})` : ''}`;
};

/** Schema errors of a built-in object; undefined when no schema package knows its apiVersion and kind. */
export async function builtinErrors(obj: K8sObject): Promise<string[] | undefined> {
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return undefined;
  const Model = await modelFor(obj.apiVersion, obj.kind);
  if (!Model) return undefined;
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: SchemaError[] }).errors;
    return errors?.length ? errors.map(describe) : [(err as Error).message];
  }
}
