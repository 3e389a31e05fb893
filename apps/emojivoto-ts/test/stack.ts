import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

export interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything the process printed, stdout and stderr interleaved. */
  output(): string;
}

/** Starts `src/<entry>` as a real Node process and waits for a line matching `ready`. */
export async function startService(
  name: string,
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ service: Service; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, [`${SRC}${entry}`], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const service: Service = { name, child, output: () => text };
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready in 15 s:\n${text}`)), 15_000);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const m = text.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready:\n${text}`));
    });
  });
  return { service, match };
}

export interface Stack {
  readonly webUrl: string;
  readonly webHost: string;
  readonly emojiAddress: string;
  readonly votingAddress: string;
  readonly votingMetricsUrl: string;
  readonly emojiMetricsUrl: string;
  readonly services: Service[];
  /** True while every service is still running. */
  allAlive(): boolean;
  stop(): Promise<void>;
}

/** emoji-svc, voting-svc and web as real processes on ports the kernel picks. */
export async function startStack(extraEnv: Record<string, string> = {}, webEnv: Record<string, string> = {}) {
  const services: Service[] = [];
  const stop = async () => {
    await Promise.all(services.map((s) => stopService(s)));
  };
  try {
    const emoji = await startService(
      'emoji',
      'emoji/main.ts',
      { GRPC_PORT: '0', PROM_PORT: '0', ...extraEnv },
      /gRPC server listening on port (\d+)[\s\S]*metrics listening on port (\d+)/,
    );
    services.push(emoji.service);
    const voting = await startService(
      'voting',
      'voting/main.ts',
      { GRPC_PORT: '0', PROM_PORT: '0', ...extraEnv },
      /gRPC server listening on port (\d+)[\s\S]*metrics listening on port (\d+)/,
    );
    services.push(voting.service);
    const emojiAddress = `127.0.0.1:${emoji.match[1]}`;
    const votingAddress = `127.0.0.1:${voting.match[1]}`;
    const web = await startService(
      'web',
      'web/main.ts',
      { WEB_PORT: '0', EMOJISVC_HOST: emojiAddress, VOTINGSVC_HOST: votingAddress, ...extraEnv, ...webEnv },
      /web: listening on port (\d+)/,
    );
    services.push(web.service);
    const webHost = `127.0.0.1:${web.match[1]}`;
    const stack: Stack = {
      webUrl: `http://${webHost}`,
      webHost,
      emojiAddress,
      votingAddress,
      votingMetricsUrl: `http://127.0.0.1:${voting.match[2]}/metrics`,
      emojiMetricsUrl: `http://127.0.0.1:${emoji.match[2]}/metrics`,
      services,
      allAlive: () => services.every((s) => s.child.exitCode === null && s.child.signalCode === null),
      stop,
    };
    return stack;
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function stopService(service: Service): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
