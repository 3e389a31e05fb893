import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { K8sObject, YamlDocument } from './k8s-object.ts';

/** The repository root, where paths in messages start. */
export const REPO_ROOT = new URL('../../../', import.meta.url).pathname;

/** Every .yaml/.yml file under `dir`, sorted, skipping node_modules and the folders in `skip` (relative to the root). */
export function yamlFiles(dir: string, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name === 'node_modules' || skip.includes(relative(REPO_ROOT, path))) continue;
    if (statSync(path).isDirectory()) out.push(...yamlFiles(path, skip));
    else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

/** The documents of YAML text; empty documents (a trailing `---`) are left out but keep their index. */
export function parseDocuments(text: string, file: string): YamlDocument[] {
  return parseAllDocuments(text).flatMap((doc, index) => {
    const parseErrors = doc.errors.map((e) => e.message);
    const object = parseErrors.length ? {} : (doc.toJS() as K8sObject | null);
    if (object === null) return [];
    return [{ file, index, object, parseErrors }];
  });
}

export const readDocuments = (path: string): YamlDocument[] =>
  parseDocuments(readFileSync(path, 'utf8'), relative(REPO_ROOT, path));
