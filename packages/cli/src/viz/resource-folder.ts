import { LocalStore } from '@weft/control-plane';

// The watched folder as the control plane reads it, through its own loader:
// what each file declares, and what it refuses (file, and line where YAML
// says so). `weft check` reports the problems and conflicts; the dashboard lists them.

export interface FolderRead {
  readonly dir: string;
  readonly files: { file: string; resources: { kind: string; namespace: string; name: string }[] }[];
  readonly problems: { source: string; message: string }[];
  /** Resources each valid but overriding one another: the file that loses, and why. */
  readonly conflicts: { source: string; message: string }[];
}

export async function readResourceFolder(dir: string): Promise<FolderRead> {
  const store = new LocalStore(
    { resourceDir: dir, debounceMs: 0, namespace: 'weft', trustDomain: 'cluster.local' },
    () => {},
    () => {},
  );
  try {
    await store.ready();
    return {
      dir,
      files: store.filesRead().map(({ file, resources }) => ({
        file,
        resources: resources.map((r) => ({ kind: r.kind, namespace: r.meta.namespace, name: r.meta.name })),
      })),
      problems: store.problems(),
      conflicts: store.conflicts(),
    };
  } finally {
    await store.close();
  }
}
