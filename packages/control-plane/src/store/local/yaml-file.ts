import { parseAllDocuments } from 'yaml';
import { cpError, ErrorCode } from '../../errors.ts';
import { isKnownKind, parseResource } from '../../resources/parse.ts';
import type { Resource } from '../../resources/types.ts';

/**
 * Parses one multi-document YAML file into resources. The file is all or
 * nothing: one bad document rejects it, so a half-edited file never applies.
 * Documents of kinds the control plane does not read (Deployments …) are skipped.
 */
export function parseYamlFile(file: string, text: string): Resource[] {
  const resources: Resource[] = [];
  const docs = parseAllDocuments(text);
  for (const [index, doc] of docs.entries()) {
    const where = docs.length > 1 ? `${file} (document ${index + 1})` : file;
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
    if (!isKnownKind(apiVersion, kind)) continue;
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
