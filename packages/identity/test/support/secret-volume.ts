import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A directory laid out as the kubelet mounts a Secret: each key is a symlink
 * to `..data/<key>`, and an update swaps the `..data` symlink in one rename
 * (AtomicWriter), so readers never see half an update.
 */
export class SecretVolume {
  readonly dir: string;
  #generation = 0;

  constructor(dir: string) {
    this.dir = dir;
  }

  async write(files: Record<string, string>): Promise<void> {
    const generation = `..${++this.#generation}_${Date.now()}`;
    await mkdir(join(this.dir, generation));
    for (const [name, content] of Object.entries(files)) await writeFile(join(this.dir, generation, name), content);
    await symlink(generation, join(this.dir, '..data_tmp'));
    await rename(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    if (this.#generation === 1) {
      for (const name of Object.keys(files)) await symlink(join('..data', name), join(this.dir, name));
    }
  }
}
