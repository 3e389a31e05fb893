import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// `weft dev` started as `npm run dev` starts it, from a scratch directory (it
// writes .weft/ there), and the `weft` commands a workshop runs beside it,
// from the same directory so they find its viz server.

export const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const run = promisify(execFile);

/** How long the whole mesh may take to print its URL on a slow machine (pods mode starts more). */
const READY_TIMEOUT_MS = 90_000;

export class WeftDev {
  readonly dir: string;
  readonly child: ChildProcess;
  /** Everything weft dev printed, stdout and stderr interleaved. */
  output = '';
  /** The browser's URL: web's sidecar (on loopback), or web's pod. */
  readonly url: Promise<string>;

  /**
   * `dir`: where it runs (a fresh scratch directory unless given); dispose() removes it.
   * `uid`: run as that user (and group), who then owns the directory.
   */
  constructor(
    flags: readonly string[],
    env: Record<string, string> = {},
    dir = mkdtempSync(join(tmpdir(), 'weft-dev-')),
    uid?: number,
  ) {
    this.dir = dir;
    if (uid !== undefined) chownSync(dir, uid, uid);
    this.child = spawn(process.execPath, [MAIN, 'dev', '--web-port', '0', ...flags], {
      cwd: this.dir,
      uid,
      gid: uid,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.url = new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`not ready in ${READY_TIMEOUT_MS / 1000} s:\n${this.output}`)),
        READY_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        const match = this.output.match(/emojivoto is up: open (http:\/\/[\w.-]+:\d+)/);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      this.child.stdout?.on('data', onData);
      this.child.stderr?.on('data', onData);
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`weft dev exited (${code}):\n${this.output}`));
      });
    });
    // A test that stops the mesh on purpose may never ask for the URL again.
    this.url.catch(() => undefined);
  }

  /** Resolves once the output matches `pattern`; throws after `ms` with what was printed. */
  async printed(pattern: RegExp, ms = 10_000): Promise<void> {
    for (const end = Date.now() + ms; !pattern.test(this.output); await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > end) throw new Error(`weft dev did not print ${pattern} in ${ms / 1000} s:\n${this.output}`);
    }
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Runs `weft ARGS -o json` beside this mesh and parses what it printed. */
  async json<T>(...args: string[]): Promise<T> {
    const { stdout } = await this.weft(...args, '-o', 'json');
    return JSON.parse(stdout) as T;
  }

  weft(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run(process.execPath, [MAIN, ...args], { cwd: this.dir, timeout: 20_000 });
  }

  /** Sends `signal` and resolves with the exit code once every byte of output is read. */
  async stop(signal: NodeJS.Signals): Promise<number | null> {
    const closed = once(this.child, 'close');
    this.child.kill(signal);
    return ((await closed) as [number | null])[0];
  }

  /** Kills what is left and removes the scratch directory. */
  async dispose(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
