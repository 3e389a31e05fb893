import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoreProblem } from '../store.ts';
import { EMPTY_GRACE_MS, LocalStore } from './local-store.ts';

// Saving a file in place is two steps, truncate then write, and the watcher
// can reload between them. The store must not take that moment's empty file
// for the user's intent.

const SERVER = `apiVersion: policy.weft.dev/v1beta3
kind: Server
metadata: { name: voting-grpc, namespace: emojivoto }
spec:
  podSelector: { matchLabels: { app: voting-svc } }
  port: grpc
  proxyProtocol: gRPC
`;

let dir = '';
let store: LocalStore | undefined;
const problems: StoreProblem[] = [];

afterEach(async () => {
  await store?.close();
  store = undefined;
  problems.length = 0;
  await rm(dir, { recursive: true, force: true });
});

async function startStore(): Promise<{ store: LocalStore; file: string }> {
  dir = await mkdtemp(join(tmpdir(), 'weft-local-store-'));
  const file = join(dir, 'voting-authz.yaml');
  await writeFile(file, SERVER);
  store = new LocalStore(
    { resourceDir: dir, debounceMs: 20, namespace: 'default', trustDomain: 'cluster.local' },
    (problem) => problems.push(problem),
  );
  await store.ready();
  return { store, file };
}

/** Polls until `check` holds, for at most `ms`. */
async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

describe('local store: a file saved in place', () => {
  it('keeps what a file declared while it is briefly empty, then applies the new content', async () => {
    const { store, file } = await startStore();
    const server = () => store.state.get('Server', 'emojivoto', 'voting-grpc');
    expect(server()).toBeDefined();

    await truncate(file);
    // Well past the debounce: the store has seen the empty file and kept the Server.
    await store.reload();
    await sleep(100);
    expect(server()).toBeDefined();

    await writeFile(file, SERVER.replace('proxyProtocol: gRPC', 'proxyProtocol: HTTP/2'));
    expect(await eventually(() => server()?.proxyProtocol === 'HTTP/2', 5_000)).toBe(true);
  });

  it('does not make the empty moment the last good state an invalid save keeps', async () => {
    const { store, file } = await startStore();
    await truncate(file);
    await store.reload();
    await writeFile(file, 'kind: Server\n  metadata: [broken');
    expect(await eventually(() => problems.length > 0, 5_000)).toBe(true);
    expect(problems[0]?.source).toBe('voting-authz.yaml');
    expect(store.state.get('Server', 'emojivoto', 'voting-grpc')).toBeDefined();
  });

  it('withdraws the resources of a file left empty once the grace is over', async () => {
    const { store, file } = await startStore();
    await truncate(file);
    const started = performance.now();
    expect(await eventually(() => !store.state.get('Server', 'emojivoto', 'voting-grpc'), 5_000)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(EMPTY_GRACE_MS);
  });
});
