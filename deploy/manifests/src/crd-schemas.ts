import type { ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import type { K8sObject, YamlDocument } from './k8s-object.ts';

// Custom resources are checked against the openAPIV3Schema of the CRD that
// serves them, as the API server does at apply time. The API server drops or
// (with kubectl's default strict validation) rejects fields a structural
// schema does not declare; JSON Schema lets them through, so every object node
// that lists its properties is closed here unless it says
// x-kubernetes-preserve-unknown-fields or gives additionalProperties itself.

type Schema = Record<string, unknown>;

function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] =
      key === 'properties' && typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, closed(sub)]))
        : closed(value);
  }
  const open = out['x-kubernetes-preserve-unknown-fields'] === true || 'additionalProperties' in out;
  if (out.properties && !open) out.additionalProperties = false;
  return out;
}

export interface CrdSchema {
  /** The CRD's file, for messages. */
  readonly file: string;
  readonly validate: ValidateFunction;
}

/** `<group>/<version>/<kind>` → the compiled schema of every version the CRD documents serve. */
export function compileCrdSchemas(crds: readonly YamlDocument[]): Map<string, CrdSchema> {
  // strict: false lets ajv pass over the x-kubernetes-* keywords; they concern storage, not validity.
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  const schemas = new Map<string, CrdSchema>();
  for (const doc of crds) {
    const spec = doc.object.spec as {
      group: string;
      names: { kind: string };
      versions: { name: string; served?: boolean; schema?: { openAPIV3Schema?: Schema } }[];
    };
    // A version the CRD does not serve is refused by the API server, so it compiles to nothing here.
    for (const v of spec.versions.filter((version) => version.served !== false)) {
      const root = closed(v.schema?.openAPIV3Schema ?? { type: 'object' }) as Schema;
      // Every object may carry apiVersion, kind and metadata, whether or not the schema names them.
      root.properties = {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
        ...(root.properties as Schema),
      };
      schemas.set(`${spec.group}/${v.name}/${spec.names.kind}`, { file: doc.file, validate: ajv.compile(root) });
    }
  }
  return schemas;
}

/** Schema errors of a custom resource; undefined when no CRD in `schemas` serves its apiVersion and kind. */
export function crdErrors(schemas: Map<string, CrdSchema>, obj: K8sObject): string[] | undefined {
  const entry = schemas.get(`${String(obj.apiVersion)}/${String(obj.kind)}`);
  if (!entry) return undefined;
  if (entry.validate(obj)) return [];
  return (entry.validate.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` "${String(e.params.additionalProperty)}"` : '';
    return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${extra} (CRD ${entry.file})`;
  });
}
