import { InjectorError, InjectorErrorCode } from './errors.ts';

/** The subset of RFC 6902 the injector emits and applies. */
export type PatchOperation =
  | { readonly op: 'add' | 'replace'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string };

/** Escapes one reference token (RFC 6901): annotation keys contain "/". */
export const escapePointerToken = (token: string): string => token.replaceAll('~', '~0').replaceAll('/', '~1');

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw patchError(`"${path}" is not a JSON pointer`, path);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

const patchError = (message: string, path: string) =>
  new InjectorError(InjectorErrorCode.InvalidPatch, message, { path });

type Container = Record<string, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null;
}

function arrayIndex(token: string, length: number, path: string, allowEnd: boolean): number {
  if (token === '-' && allowEnd) return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw patchError(`"${token}" is not an array index`, path);
  const i = Number(token);
  if (i > length || (!allowEnd && i === length)) throw patchError(`index ${i} is out of bounds`, path);
  return i;
}

/**
 * Applies `ops` to a deep copy of `doc` and returns the copy. Any operation that
 * does not apply (missing parent, bad index) throws InvalidPatch, so a patch
 * that would be rejected by the API server is caught in tests and offline.
 */
export function applyPatch<T>(doc: T, ops: readonly PatchOperation[]): T {
  let root: unknown = structuredClone(doc);
  for (const op of ops) {
    const tokens = parsePointer(op.path);
    const last = tokens.pop();
    if (last === undefined) {
      if (op.op === 'remove') throw patchError('cannot remove the document root', op.path);
      root = structuredClone(op.value);
      continue;
    }
    let parent: unknown = root;
    for (const t of tokens) {
      if (!isContainer(parent)) throw patchError(`no parent at ${op.path}`, op.path);
      parent = Array.isArray(parent) ? parent[arrayIndex(t, parent.length, op.path, false)] : parent[t];
    }
    if (!isContainer(parent)) throw patchError(`no parent at ${op.path}`, op.path);
    if (Array.isArray(parent)) {
      const i = arrayIndex(last, parent.length, op.path, op.op === 'add');
      if (op.op === 'add') parent.splice(i, 0, structuredClone(op.value));
      else if (op.op === 'replace') parent[i] = structuredClone(op.value);
      else parent.splice(i, 1);
    } else {
      if (op.op !== 'add' && !Object.hasOwn(parent, last)) throw patchError(`nothing at ${op.path}`, op.path);
      if (op.op === 'remove') delete parent[last];
      else parent[last] = structuredClone(op.value);
    }
  }
  return root as T;
}
