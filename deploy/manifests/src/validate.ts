import { builtinErrors } from './builtin-schemas.ts';
import type { CrdSchema } from './crd-schemas.ts';
import { crdErrors } from './crd-schemas.ts';
import type { YamlDocument } from './k8s-object.ts';
import { describeObject } from './k8s-object.ts';
import { modelTypeFor, unknownFields } from './unknown-fields.ts';

/** One problem with one document, worded so a reader can open the file and find it. */
export interface ManifestError {
  readonly file: string;
  readonly index: number;
  readonly message: string;
}

export const formatError = (e: ManifestError): string => `${e.file} document ${e.index}: ${e.message}`;

/**
 * Checks a document as `kubectl apply` would: custom resources against their
 * CRD's schema (metadata against ObjectMeta), everything else against the
 * Kubernetes OpenAPI schema, unknown fields included. A kind no schema
 * covers is an error too, so nothing passes unchecked.
 */
export async function validateDocument(doc: YamlDocument, crds: Map<string, CrdSchema>): Promise<ManifestError[]> {
  const at = (message: string): ManifestError => ({ file: doc.file, index: doc.index, message });
  if (doc.parseErrors.length) return doc.parseErrors.map((m) => at(`YAML: ${m}`));
  const obj = doc.object;
  const what = describeObject(obj);
  const custom = crdErrors(crds, obj);
  if (custom) {
    return [...custom, ...unknownFields(obj.metadata, 'V1ObjectMeta', '/metadata')].map((m) => at(`${what}: ${m}`));
  }
  const builtin = await builtinErrors(obj);
  if (!builtin)
    return [at(`${what}: no schema for this apiVersion and kind (not built in, and no CRD in deploy/crds)`)];
  // Gateway API routes have no client-node model: only their metadata is checked for unknown fields.
  const model = modelTypeFor(String(obj.apiVersion), String(obj.kind));
  const unknown = model ? unknownFields(obj, model) : unknownFields(obj.metadata, 'V1ObjectMeta', '/metadata');
  return [...builtin, ...unknown].map((m) => at(`${what}: ${m}`));
}

export async function validateDocuments(
  docs: readonly YamlDocument[],
  crds: Map<string, CrdSchema>,
): Promise<ManifestError[]> {
  return (await Promise.all(docs.map((d) => validateDocument(d, crds)))).flat();
}
