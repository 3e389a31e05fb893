import * as models from '@kubernetes/client-node';

// kubectl apply rejects a field the API does not know (--validate=strict, the
// default since Kubernetes 1.27), but the validators kubernetes-models compiles
// from the OpenAPI schemas do not: those schemas leave additionalProperties
// open. @kubernetes/client-node's model classes are generated from the same
// OpenAPI document (release-1.36) and list every field of every type, so the
// walk below finds unknown fields from the schema, not from a list of ours.

interface Attribute {
  readonly baseName: string;
  readonly type: string;
}
type Model = { getAttributeTypeMap(): readonly Attribute[] };

const registry = models as unknown as Record<string, Partial<Model> | undefined>;
const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;
const OPAQUE = new Set(['string', 'number', 'boolean', 'Date', 'any', 'object', 'IntOrString']);

function model(type: string): Model | undefined {
  const m = registry[type];
  return typeof m?.getAttributeTypeMap === 'function' ? (m as Model) : undefined;
}

/** The generated class for a top-level kind: apps/v1 Deployment is V1Deployment, policy/v1beta1 X is V1beta1X. */
export function modelTypeFor(apiVersion: string, kind: string): string | undefined {
  const version = apiVersion.split('/').pop() ?? '';
  const type = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
  return model(type) ? type : undefined;
}

/** JSON paths of fields `value` has and its type (a generated class name) does not define. */
export function unknownFields(value: unknown, type: string, path = ''): string[] {
  if (value === null || value === undefined || OPAQUE.has(type)) return [];
  const array = ARRAY.exec(type);
  if (array) {
    return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, array[1] as string, `${path}/${i}`)) : [];
  }
  const map = MAP.exec(type);
  if (map) {
    if (typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1] as string, `${path}/${k}`));
  }
  const m = model(type);
  if (!m || typeof value !== 'object' || Array.isArray(value)) return [];
  const attributes = new Map(m.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([key, v]) => {
    const fieldType = attributes.get(key);
    if (fieldType === undefined) return [`${path}/${key} unknown field (${type} has no such field)`];
    return unknownFields(v, fieldType, `${path}/${key}`);
  });
}
