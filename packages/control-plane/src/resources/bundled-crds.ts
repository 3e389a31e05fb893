import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type CrdDocument, type CrdSchemas, compileCrdSchemas } from './crd-schemas.ts';

// The CRDs Weft installs (deploy/crds), read once from the checkout, so the
// local store refuses what `kubectl apply` would: an unknown field, a wrong
// type. Where the folder is absent (an image without deploy/), the parsers'
// own checks remain.

const REPO = new URL('../../../../', import.meta.url).pathname;
const CRD_DIR = join(REPO, 'deploy', 'crds');

let schemas: CrdSchemas | undefined;

/** The compiled schemas of deploy/crds; empty when the folder is not there. */
export function bundledCrdSchemas(): CrdSchemas {
  schemas ??= compileCrdSchemas(existsSync(CRD_DIR) ? readCrds(CRD_DIR) : []);
  return schemas;
}

function readCrds(dir: string): CrdDocument[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return parseAllDocuments(readFileSync(path, 'utf8'))
        .map((doc) => doc.toJS() as Record<string, unknown> | null)
        .filter((object): object is Record<string, unknown> => object?.kind === 'CustomResourceDefinition')
        .map((object) => ({ file: relative(REPO, path), object }));
    });
}
