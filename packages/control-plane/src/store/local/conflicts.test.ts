import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStore, type StoreNotice } from './local-store.ts';

// The workshop's own files, copied into a folder as a user copies them: each
// valid, but some overlap so that one silently loses. The store says so.

const DEPLOY = new URL('../../../../../deploy/', import.meta.url).pathname;
const EMOJIVOTO = join(DEPLOY, 'local/resources/emojivoto.yaml');

let dir = '';
let store: LocalStore | undefined;

afterEach(async () => {
  await store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function folderOf(...files: string[]): Promise<{ store: LocalStore; notices: StoreNotice[] }> {
  dir = mkdtempSync(join(tmpdir(), 'weft-conflicts-'));
  for (const file of [EMOJIVOTO, ...files]) copyFileSync(file, join(dir, file.split('/').pop() as string));
  const notices: StoreNotice[] = [];
  store = new LocalStore(
    { resourceDir: dir, debounceMs: 10, namespace: 'default', trustDomain: 'cluster.local' },
    () => {},
    (n) => notices.push(n),
  );
  await store.ready();
  return { store, notices };
}

describe('overlapping resources', () => {
  it('says that a second canary file next to the first is ignored, naming it', async () => {
    const { store, notices } = await folderOf(
      join(DEPLOY, 'local/examples/web-canary-50-50.yaml'),
      join(DEPLOY, 'local/examples/web-canary-0-100.yaml'),
    );
    // Both declare HTTPRoute web-canary; the path sorting last wins, whichever was copied last.
    expect(store.conflicts()).toEqual([
      {
        source: 'web-canary-0-100.yaml',
        message:
          'HTTPRoute emojivoto/web-canary is also declared in web-canary-50-50.yaml, whose copy applies (the file last by path wins): delete one',
      },
    ]);
    expect(notices.filter((n) => n.msg === 'resources conflict')).toHaveLength(1);
  });

  it('says that a ServiceProfile for voting-svc overrides the fault route, and tells it once', async () => {
    const { store, notices } = await folderOf(
      join(DEPLOY, 'local/examples/voting-fault.yaml'),
      join(DEPLOY, 'emojivoto/profiles/voting-svc.yaml'),
    );
    const [conflict] = store.conflicts();
    expect(conflict?.source).toBe('voting-fault.yaml');
    expect(conflict?.message).toContain(
      'ServiceProfile emojivoto/voting-svc.emojivoto.svc.cluster.local overrides HTTPRoute emojivoto/voting-fault on Service emojivoto/voting-svc',
    );
    await store.reload();
    expect(notices.filter((n) => n.msg === 'resources conflict')).toHaveLength(1);
  });

  it('tells each file applied once, with what it declared, and nothing for a reload that changed nothing', async () => {
    const { store, notices } = await folderOf(join(DEPLOY, 'local/examples/voting-authz.yaml'));
    expect(store.conflicts()).toEqual([]);
    await store.reload();
    expect(notices.map((n) => `${n.msg} ${n.source}`).sort()).toEqual([
      'resources applied emojivoto.yaml',
      'resources applied voting-authz.yaml',
    ]);
    expect(notices.find((n) => n.source === 'voting-authz.yaml')?.detail).toMatch(/^3 resources: Server voting-grpc, /);
  });

  it('says when two routes of different names each split all of a Service', async () => {
    const { store } = await folderOf(join(DEPLOY, 'local/examples/web-canary-50-50.yaml'));
    const other = readFileSync(join(DEPLOY, 'local/examples/web-canary-0-100.yaml'), 'utf8');
    writeFileSync(join(dir, 'web-rollout.yaml'), other.replace('name: web-canary', 'name: web-rollout'));
    await store.reload();
    const [conflict, ...rest] = store.conflicts();
    expect(rest).toEqual([]);
    expect(conflict?.source).toBe('web-rollout.yaml');
    expect(conflict?.message).toMatch(
      /each split all of Service emojivoto\/web-svc's traffic: only web-canary \(first by name\)/,
    );
  });
});
