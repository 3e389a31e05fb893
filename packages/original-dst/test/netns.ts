// Network namespaces for tests that need the kernel's NAT: each one is
// private (its own interfaces, addresses, iptables and port space), named
// weft-test-<random>, and removed by remove() with every process started in it.
// Needs root (ip netns add); the tests that use it say so when it fails.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { OriginalDst } from '../src/index.ts';

/** The probe script, for tests that start it in namespaces they made themselves. */
export const PROBE = new URL('./probe.ts', import.meta.url).pathname;
const DEADLINE_MS = 20_000;

/** What a probe listener saw of one accepted connection. */
export interface Landed {
  readonly local: string;
  readonly localPort: number;
  readonly remote: string;
  readonly originalDst: OriginalDst | null;
  /** The same asked of the bare descriptor, without the family. */
  readonly viaFd: OriginalDst | null;
  readonly error?: string;
}

export interface Reached {
  readonly connected: boolean;
  readonly reply?: string;
  readonly error?: string;
}

export interface RunOptions {
  /** Run as this uid and gid (setpriv), as a pod's containers run as their own users. */
  readonly uid?: number;
  /** Variables set for the command alone (through env(1), so `ip` itself keeps this process's PATH). */
  readonly env?: Readonly<Record<string, string>>;
}

export function netnsExists(name: string): boolean {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  return list.split('\n').some((line) => line.split(' ')[0] === name);
}

/** Reads JSON lines from a child, one awaited line at a time, each within the deadline. */
class Lines {
  readonly #queue: object[] = [];
  readonly #waiters: ((line: object | undefined) => void)[] = [];
  #ended = false;

  constructor(child: ChildProcess) {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.on('line', (text) => {
      let line: object;
      try {
        line = JSON.parse(text) as object;
      } catch {
        line = { unexpected: text }; // fails the test's match, with the text to read
      }
      const waiter = this.#waiters.shift();
      if (waiter) waiter(line);
      else this.#queue.push(line);
    });
    rl.on('close', () => {
      this.#ended = true;
      for (const waiter of this.#waiters.splice(0)) waiter(undefined);
    });
  }

  next<T>(what: string, stderr: () => string): Promise<T> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued as T);
    return new Promise<T>((resolve, reject) => {
      const fail = () => reject(new Error(`no ${what} within ${DEADLINE_MS} ms: ${stderr()}`));
      if (this.#ended) return fail();
      const timer = setTimeout(fail, DEADLINE_MS);
      this.#waiters.push((line) => {
        clearTimeout(timer);
        if (line) resolve(line as T);
        else fail();
      });
    });
  }
}

export class ProbeListener {
  readonly port: number;
  readonly #lines: Lines;
  readonly #stderr: () => string;
  private constructor(port: number, lines: Lines, stderr: () => string) {
    this.port = port;
    this.#lines = lines;
    this.#stderr = stderr;
  }

  static async start(child: ChildProcess): Promise<ProbeListener> {
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    const lines = new Lines(child);
    const { port } = await lines.next<{ port: number }>('listening port', () => stderr);
    return new ProbeListener(port, lines, () => stderr);
  }

  /** The next connection this listener accepted. */
  landed(): Promise<Landed> {
    return this.#lines.next<Landed>('accepted connection', this.#stderr);
  }
}

/** What a probe started as `connect HOST PORT` reports. */
export function reached(child: ChildProcess): Promise<Reached> {
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Lines(child).next<Reached>('connect result', () => stderr);
}

export class Netns {
  readonly name = `weft-test-${randomBytes(4).toString('hex')}`;
  readonly #children = new Set<ChildProcess>();

  constructor() {
    this.#ip(['netns', 'add', this.name]);
    try {
      this.run('ip', ['link', 'set', 'lo', 'up']);
    } catch (err) {
      this.remove(); // nobody else holds the name yet
      throw err;
    }
  }

  #ip(args: string[]): void {
    const r = spawnSync('ip', args, { encoding: 'utf8', timeout: DEADLINE_MS });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  }

  #argv(cmd: string, args: readonly string[], opts: RunOptions): string[] {
    const user =
      opts.uid === undefined ? [] : ['setpriv', `--reuid=${opts.uid}`, `--regid=${opts.uid}`, '--clear-groups'];
    const env = opts.env ? ['env', ...Object.entries(opts.env).map(([k, v]) => `${k}=${v}`)] : [];
    return ['netns', 'exec', this.name, ...user, ...env, cmd, ...args];
  }

  /** Runs a command in the namespace and returns its result, whatever the exit status. */
  exec(cmd: string, args: readonly string[], opts: RunOptions = {}) {
    return spawnSync('ip', this.#argv(cmd, args, opts), { encoding: 'utf8', timeout: DEADLINE_MS });
  }

  /** Runs a command in the namespace; its stdout, or an error carrying its stderr. */
  run(cmd: string, args: readonly string[], opts: RunOptions = {}): string {
    const r = this.exec(cmd, args, opts);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} in ${this.name}: ${r.stderr || r.error?.message}`);
    return r.stdout;
  }

  /** Starts a long-running process in the namespace; remove() stops it. */
  spawn(cmd: string, args: readonly string[], opts: RunOptions = {}): ChildProcess {
    const child = spawn('ip', this.#argv(cmd, args, opts), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /**
   * A veth pair whose first end holds the given addresses, so that other
   * addresses of their subnets route out of it: "somewhere else" for a client.
   * With `peer`, the second end moves into that namespace with `peerAddresses`.
   */
  veth(addresses: readonly string[], peer?: Netns, peerAddresses: readonly string[] = []): void {
    const [a, b] = ['wa', 'wb'].map((p) => `${p}${randomBytes(3).toString('hex')}`) as [string, string];
    this.run('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    if (peer) this.run('ip', ['link', 'set', b, 'netns', peer.name]);
    this.run('ip', ['link', 'set', a, 'up']);
    (peer ?? this).run('ip', ['link', 'set', b, 'up']);
    for (const addr of addresses)
      this.run('ip', ['addr', 'add', addr, 'dev', a, ...(addr.includes(':') ? ['nodad'] : [])]);
    for (const addr of peerAddresses)
      (peer ?? this).run('ip', ['addr', 'add', addr, 'dev', b, ...(addr.includes(':') ? ['nodad'] : [])]);
  }

  /**
   * A probe listener on host and port (0 unless given) in this namespace; it asks
   * `lookupModule`'s `originalDst(socket)` where each connection was going, or this package's own.
   */
  listen(host: string, opts: RunOptions & { port?: number; lookupModule?: string } = {}): Promise<ProbeListener> {
    const args = [PROBE, 'listen', host, String(opts.port ?? 0), ...(opts.lookupModule ? [opts.lookupModule] : [])];
    return ProbeListener.start(this.spawn(process.execPath, args, opts));
  }

  /** Connects from this namespace (as opts.uid, if given) and reports whether a listener answered. */
  connect(host: string, port: number, opts: RunOptions = {}): Promise<Reached> {
    return reached(this.spawn(process.execPath, [PROBE, 'connect', host, String(port)], opts));
  }

  /** Stops every process started here and deletes the namespace (its interfaces and rules go with it). */
  remove(): void {
    for (const child of this.#children) child.kill('SIGKILL');
    if (netnsExists(this.name)) this.#ip(['netns', 'delete', this.name]);
  }
}
