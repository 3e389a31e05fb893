import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import { parseAllDocuments } from 'yaml';

/** deploy/ at the repository root, where the manifests this package ships live. */
export const DEPLOY_DIR = new URL('../../../../../deploy/', import.meta.url).pathname;

export interface CrdEntry {
  readonly file: string;
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly schema: Record<string, unknown>;
  readonly validate: ValidateFunction;
}

/**
 * Compiles every CRD in deploy/crds with ajv, so tests can check objects the
 * way the API server would at apply time. `strict: false` lets ajv skip the
 * x-kubernetes-* extensions, which are about storage, not validity.
 */
export function loadCrds(dir = join(DEPLOY_DIR, 'crds')): Map<string, CrdEntry> {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const crds = new Map<string, CrdEntry>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const crd = doc.toJS();
      for (const v of crd.spec.versions) {
        const schema = v.schema.openAPIV3Schema;
        crds.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, {
          file,
          group: crd.spec.group,
          kind: crd.spec.names.kind,
          version: v.name,
          schema,
          validate: ajv.compile(schema),
        });
      }
    }
  }
  return crds;
}

/** Errors for `obj` against the CRD its apiVersion and kind name; a missing CRD is an error too. */
export function crdErrors(crds: Map<string, CrdEntry>, obj: { apiVersion?: string; kind?: string }): string[] {
  const entry = crds.get(`${obj.apiVersion}/${obj.kind}`);
  if (!entry) return [`no CRD serves ${obj.apiVersion} ${obj.kind}`];
  if (entry.validate(obj)) return [];
  return (entry.validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

/**
 * The API server only accepts structural schemas: every node states its type,
 * logical junctors (anyOf, oneOf, allOf, not) carry no types except the
 * int-or-string pattern. Returns the JSON paths that break the rule.
 */
export function structuralViolations(schema: unknown, path = '', inJunctor = false): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const s = schema as Record<string, unknown>;
  const out: string[] = [];
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (!inJunctor && s.type === undefined && !intOrString && !preserve) out.push(`${path || '/'}: no type`);
  if (inJunctor && s.type !== undefined) out.push(`${path}: type inside a logical junctor`);
  for (const [key, value] of Object.entries(s)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      for (const [name, sub] of Object.entries(value)) out.push(...structuralViolations(sub, `${path}.${name}`));
    } else if (key === 'items' || key === 'additionalProperties') {
      out.push(...structuralViolations(value, `${path}[]`));
    } else if (['anyOf', 'oneOf', 'allOf'].includes(key) && Array.isArray(value)) {
      // int-or-string is the one place a junctor may name types.
      value.forEach((sub, i) => {
        out.push(...structuralViolations(sub, `${path}.${key}[${i}]`, !intOrString));
      });
    }
  }
  return out;
}
