import { readFileSync, writeFileSync } from 'node:fs';

// A benchmark owns one section of a shared document, between two markers
// named after it; writing it replaces that section and nothing else, so the
// sections other benchmarks (or people) wrote stay. A document without the
// markers gets the section appended.

function markers(name: string): { begin: string; end: string } {
  return { begin: `<!-- ${name}: begin (written by the benchmark) -->`, end: `<!-- ${name}: end -->` };
}

/** The text of `doc` with `name`'s section set to `section`. */
export function withSection(doc: string, name: string, section: string): string {
  const { begin, end } = markers(name);
  const block = `${begin}\n${section.trim()}\n${end}`;
  const at = doc.indexOf(begin);
  const stop = at < 0 ? -1 : doc.indexOf(end, at);
  if (at < 0 || stop < 0) return `${doc.trimEnd()}\n\n${block}\n`;
  return `${doc.slice(0, at)}${block}${doc.slice(stop + end.length)}`;
}

/** Rewrites `name`'s section of the file at `path`. */
export function writeSection(path: string, name: string, section: string): void {
  writeFileSync(path, withSection(readFileSync(path, 'utf8'), name, section));
}
