import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

// The real proxy process (src/main.ts) for tests, on ports chosen by the
// system; everything else comes from `env` (WEFT_PROXY_* variables).

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface ProxyProcess {
  readonly child: ChildProcess;
  /** The fields of its "listening" log line: ports by listener. */
  readonly listening: { outbound: number; inbound: number; admin: number; upstreams: Record<string, number> };
  /** Everything it logged so far. */
  log(): string;
  /** SIGKILL, unless it already exited; resolves once it has. */
  kill(): Promise<void>;
}

export async function startProxyProcess(env: Record<string, string>): Promise<ProxyProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      WEFT_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
      WEFT_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
      WEFT_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (c) => {
    log += c;
  });
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  // Generous: the first start strips the TypeScript of every module, on a busy machine.
  const deadline = Date.now() + 30_000;
  while (!log.includes('"listening"')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await kill();
      throw new Error(`proxy did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const listening = JSON.parse(log.split('\n').find((l) => l.includes('"listening"')) as string);
  return { child, listening, log: () => log, kill };
}
