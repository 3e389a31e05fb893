import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Workload } from './workload.ts';

// Prometheus file_sd targets for the proxies the viz server watches, so a real
// Prometheus (deploy/local/prometheus.yml) scrapes the same proxies with the
// same target labels. Written to a temporary file and renamed, because
// Prometheus may read the file at any moment.

export const FILE_SD = join('.weft', 'prometheus-targets.json');

export function fileSdTargets(workloads: readonly Workload[]) {
  return workloads.map((w) => ({
    targets: [w.adminAddr],
    labels: { namespace: w.namespace, deployment: w.deployment, pod: w.pod },
  }));
}

/** Serializes writes so the last registration always wins. */
export class FileSdWriter {
  readonly path: string;
  #chain: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.path = resolve(dir, FILE_SD);
  }

  write(workloads: readonly Workload[]): Promise<void> {
    const body = `${JSON.stringify(fileSdTargets(workloads), null, 2)}\n`;
    this.#chain = this.#chain
      .then(async () => {
        await mkdir(dirname(this.path), { recursive: true });
        const tmp = `${this.path}.${process.pid}.tmp`;
        await writeFile(tmp, body);
        await rename(tmp, this.path);
      })
      .catch(() => {
        // A failed write leaves the previous targets; the next change retries.
      });
    return this.#chain;
  }
}
