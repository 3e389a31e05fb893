import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const IMAGES_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * A podman image store of the test's own: the images, containers and pods it
 * makes never meet those of a developer or of another run of build.sh on the
 * machine, and the base images it builds stay cached there between runs.
 */
export interface TestStore {
  readonly dir: string;
  /** Whether an earlier run made the store (so podman is installed, and the bases may be there). */
  readonly reused: boolean;
  /** The environment podman and build.sh run with. */
  readonly env: NodeJS.ProcessEnv;
}

export function openTestStore(dir: string): TestStore {
  const reused = existsSync(join(dir, 'storage'));
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'storage.conf');
  writeFileSync(
    conf,
    `[storage]\ndriver = "overlay"\ngraphroot = "${join(dir, 'storage')}"\nrunroot = "${join(dir, 'run')}"\n`,
  );
  return {
    dir,
    reused,
    env: {
      ...process.env,
      CONTAINERS_CONF: join(IMAGES_DIR, 'containers.conf'),
      CONTAINERS_STORAGE_CONF: conf,
      WEFT_IMAGES_LOG_DIR: dir,
    },
  };
}

export interface Output {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end within `timeoutMs`; rejects with its stderr when it fails. */
export function run(store: TestStore, command: string, args: readonly string[], timeoutMs: number): Promise<Output> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { env: store.env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const why = error.killed ? `killed after ${timeoutMs} ms` : `exit ${error.code}`;
          reject(new Error(`${command} ${args.join(' ')}: ${why}\n${stdout}\n${stderr}`.trim()));
        } else resolve({ stdout, stderr });
      },
    );
  });
}

export const podman = (store: TestStore, args: readonly string[], timeoutMs = 60_000): Promise<Output> =>
  run(store, 'podman', args, timeoutMs);

/**
 * Waits until `read` returns something `done` accepts, asking again every
 * 250 ms; fails with the last thing read once `timeoutMs` has passed.
 */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not there after ${timeoutMs} ms; last seen:\n${String(value)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Empties the test's store of everything but the images named in `keep`
 * (and their layers): pods, containers, and every other image, also those a
 * run killed before its clean-up left behind.
 */
export async function sweep(store: TestStore, keep: readonly string[]): Promise<void> {
  await podman(store, ['pod', 'rm', '--all', '--force', '--time', '0']);
  await podman(store, ['rm', '--all', '--force', '--time', '0']);
  const { stdout } = await podman(store, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
  const drop = stdout
    .split('\n')
    .filter((ref) => ref && !ref.startsWith('<none>') && !keep.includes(ref.split(':')[0] ?? ''));
  if (drop.length > 0) await podman(store, ['rmi', '--force', ...drop]);
  await podman(store, ['image', 'prune', '--force']);
}

/** The last lines of each image's build log in the store, for a failure on CI, where the files are gone afterwards. */
export function buildLogTails(store: TestStore, lines = 40): string {
  return ['mesh', 'emojivoto']
    .map((name) => join(store.dir, `weft-image-${name}.log`))
    .filter((file) => existsSync(file))
    .map((file) => `--- ${file}\n${readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')}`)
    .join('\n');
}
