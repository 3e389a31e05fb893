import { Ajv, type ValidateFunction } from 'ajv';

// Custom resources are checked against the openAPIV3Schema of the CRD that
// serves them, as the API server does at apply time. The API server drops or
// (with kubectl's default strict validation) rejects fields a structural
// schema does not declare; JSON Schema lets them through, so every object node
// that lists its properties is closed here unless it says
// x-kubernetes-preserve-unknown-fields or gives additionalProperties itself.
// The local store checks the watched folder with these, and the manifests'
// tests check deploy/ with them: one reading of the CRDs for both.

type Schema = Record<string, unknown>;

/** A CRD as read from YAML, with its file for messages. */
export interface CrdDocument {
  readonly file: string;
  readonly object: Readonly<Record<string, unknown>>;
}

export interface CrdSchema {
  /** The CRD's file, for messages. */
  readonly file: string;
  readonly validate: ValidateFunction;
}

/** `<group>/<version>/<kind>` → the compiled schema of that served version. */
export type CrdSchemas = ReadonlyMap<string, CrdSchema>;

/** One thing wrong with a custom resource: where (the path of keys and indexes) and what. */
export interface SchemaProblem {
  readonly path: readonly string[];
  readonly message: string;
}

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

/** Compiles every served version of every CRD given. */
export function compileCrdSchemas(crds: readonly CrdDocument[]): CrdSchemas {
  // strict: false lets ajv pass over the x-kubernetes-* keywords; they concern storage, not validity.
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  const schemas = new Map<string, CrdSchema>();
  for (const doc of crds) {
    const spec = doc.object.spec as {
      group: string;
      names: { kind: string };
      versions: { name: string; served?: boolean; schema?: { openAPIV3Schema?: Schema } }[];
    };
    for (const v of spec.versions) {
      // The API server serves nothing at a version marked served: false; no schema then, so it is refused.
      if (v.served === false) continue;
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

/** What is wrong with a custom resource; undefined when no CRD in `schemas` serves its apiVersion and kind. */
export function crdProblems(
  schemas: CrdSchemas,
  obj: { readonly apiVersion?: unknown; readonly kind?: unknown },
): SchemaProblem[] | undefined {
  const entry = schemas.get(`${String(obj.apiVersion)}/${String(obj.kind)}`);
  if (!entry) return undefined;
  if (entry.validate(obj)) return [];
  // An unknown field first: a mistyped name also leaves the real one missing, and the typo is what to fix.
  const errors = [...(entry.validate.errors ?? [])].sort(
    (a, b) => Number(b.keyword === 'additionalProperties') - Number(a.keyword === 'additionalProperties'),
  );
  return errors.map((e) => {
    const path = e.instancePath.split('/').slice(1);
    if (e.keyword === 'additionalProperties') {
      const field = String(e.params.additionalProperty);
      return { path: [...path, field], message: `unknown field (not in CRD ${entry.file})` };
    }
    return { path, message: `${e.message ?? 'is invalid'} (CRD ${entry.file})` };
  });
}
