import { getOrCreate } from '../../map-util.ts';
import type { Resource } from '../../resources/types.ts';
import type { StoreProblem } from '../store.ts';

// What the local store tells about its folder besides problems: each file
// applied or withdrawn, once, and resources that overlap so that one loses.

/** What the store tells its user about the folder besides problems: a file applied or withdrawn, a conflict. */
export interface StoreNotice {
  readonly msg: 'resources applied' | 'resources withdrawn' | 'resources conflict';
  readonly source: string;
  readonly detail: string;
}

export type NoticeListener = (notice: StoreNotice) => void;

/** One object in several files: the file whose path sorts last wins, and each other file is told so. */
export function redeclared(files: ReadonlyMap<string, readonly Resource[]>): StoreProblem[] {
  const declaring = new Map<string, string[]>();
  for (const [file, resources] of files) {
    for (const r of resources)
      getOrCreate(declaring, `${r.kind} ${r.meta.namespace}/${r.meta.name}`, () => []).push(file);
  }
  return [...declaring].flatMap(([resource, declared]) => {
    const winner = declared[declared.length - 1];
    return declared.slice(0, -1).map((file) => ({
      source: file,
      message: `${resource} is also declared in ${winner}, whose copy applies (the file last by path wins): delete one`,
    }));
  });
}

export function logNotice(notice: StoreNotice): void {
  const level = notice.msg === 'resources conflict' ? 'warn' : 'info';
  console.error(JSON.stringify({ time: new Date().toISOString(), level, ...notice }));
}

/** `3 resources: Server voting-grpc, AuthorizationPolicy voting-grpc, …`: what a file declared. */
export function describeResources(resources: readonly Resource[]): string {
  const names = resources.map((r) => `${r.kind} ${r.meta.name}`);
  return `${resources.length} resource${resources.length === 1 ? '' : 's'}${names.length ? `: ${names.join(', ')}` : ''}`;
}
