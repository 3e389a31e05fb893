import { chmodSync, chownSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Files the processes of a pod read or write as their own users (the proxy's
// token, Node's compile cache): outside the runner's folders, which may sit
// in a directory only root can enter (a 0700 temporary folder). One folder
// per run, named by it, so teardown finds it from the plan alone.

export const POD_FILES_DIR = '/run/weft/pod-files';

export const runFilesDir = (run: string): string => join(POD_FILES_DIR, run);

/** A folder of the run that only `uid` can enter: `<run>/<name>`. */
export function podFilesDir(run: string, name: string, uid: number): string {
  const runDir = runFilesDir(run);
  mkdirSync(runDir, { recursive: true });
  // mkdir's mode is masked by the umask, and a recursive one gives /run/weft the mode of the deepest folder.
  for (const dir of [dirname(POD_FILES_DIR), POD_FILES_DIR, runDir]) chmodSync(dir, 0o755);
  const dir = join(runDir, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chownSync(dir, uid, uid);
  return dir;
}

export function removeRunFiles(run: string): void {
  rmSync(runFilesDir(run), { recursive: true, force: true });
}
