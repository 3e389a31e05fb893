import { type Document, isMap, isScalar, LineCounter, parseAllDocuments } from 'yaml';
import { cpError, ErrorCode } from '../../errors.ts';
import { bundledCrdSchemas } from '../../resources/bundled-crds.ts';
import { type CrdSchemas, crdProblems } from '../../resources/crd-schemas.ts';
import { isKnownKind, parseResource, unknownKindProblem } from '../../resources/parse.ts';
import type { Resource } from '../../resources/types.ts';

/**
 * Parses one multi-document YAML file into resources. The file is all or
 * nothing: one bad document rejects it, so a half-edited file never applies.
 * Documents of kinds the control plane does not read (Deployments …) are
 * skipped, but a kind it does not know in one of its own API groups is a
 * typo and refused, as is a field the kind's CRD does not declare. Every
 * refusal names the file and, where it can, the line.
 */
export function parseYamlFile(file: string, text: string, crds: CrdSchemas = bundledCrdSchemas()): Resource[] {
  const resources: Resource[] = [];
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  for (const [index, doc] of docs.entries()) {
    const where = docs.length > 1 ? `${file} (document ${index + 1})` : file;
    const atLine = (offset: number | undefined) =>
      offset === undefined ? '' : ` at line ${lines.linePos(offset).line}`;
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0];
      const at = line ? ` at line ${line.line}, column ${line.col}` : '';
      throw cpError(ErrorCode.InvalidYaml, `${where}${at}: ${error.message.split('\n')[0]}`, {
        file,
        line: line?.line,
      });
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const { apiVersion, kind } = value as { apiVersion?: unknown; kind?: unknown };
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
      throw cpError(ErrorCode.InvalidResource, `${where}: every document needs apiVersion and kind`, { file });
    }
    const refuse = (path: readonly (string | number)[], message: string): never => {
      const line = atLine(nodeOffset(doc, path));
      throw cpError(ErrorCode.InvalidResource, `${where}${line}: ${message}`, { file, field: path.join('.') });
    };
    const unknownKind = unknownKindProblem(apiVersion, kind);
    if (unknownKind) refuse(['kind'], unknownKind);
    if (!isKnownKind(apiVersion, kind)) continue;
    const problem = crdProblems(crds, value as Record<string, unknown>)?.[0];
    if (problem) refuse(problem.path, `${kind}: ${dotted(problem.path)}: ${problem.message}`);
    try {
      resources.push(parseResource(value));
    } catch (err) {
      throw cpError(
        ErrorCode.InvalidResource,
        `${where}: ${(err as Error).message.replace(/^WEFT_CP_\w+: /, '')}`,
        { file },
        err,
      );
    }
  }
  return resources;
}

/** Where the entry at `path` starts (its key, in a mapping), or the deepest part of the path that exists. */
function nodeOffset(doc: Document, path: readonly (string | number)[]): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const parent = doc.getIn(path.slice(0, depth - 1), true);
    const step = String(path[depth - 1]);
    const node = isMap(parent)
      ? parent.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === step)?.key
      : doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return range[0];
  }
  return undefined;
}

const dotted = (path: readonly string[]) =>
  path.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(document)';
