import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// A real Prometheus (Debian's package) running the shipped
// deploy/local/prometheus.yml against a directory laid out like the
// repository, so its file_sd path finds the viz server's targets file.

const SHIPPED = fileURLToPath(new URL('../../../../../deploy/local/prometheus.yml', import.meta.url));

export interface RunningPrometheus {
  readonly url: string;
  stop(): Promise<void>;
}

export function prometheusMissing(): string | undefined {
  const probe = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  return probe.error
    ? 'the prometheus binary is not on PATH: install Debian\'s "prometheus" package (npm test does), or apt-get install -y prometheus'
    : undefined;
}

/** Starts Prometheus with `root` as the repository root; `scrapeInterval` replaces the shipped 2s. */
export async function startPrometheus(root: string, scrapeInterval = '1s'): Promise<RunningPrometheus> {
  const missing = prometheusMissing();
  if (missing) throw new Error(missing);
  const config = (await readFile(SHIPPED, 'utf8'))
    .replace('scrape_interval: 2s', `scrape_interval: ${scrapeInterval}`)
    .replace('refresh_interval: 5s', 'refresh_interval: 1s');
  const configPath = join(root, 'deploy', 'local', 'prometheus.yml');
  await mkdir(join(root, 'deploy', 'local'), { recursive: true });
  await writeFile(configPath, config);
  const port = await freePort();
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(root, '.weft', 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + String(d)).slice(-4000);
  });
  // Bounded: a test that forgets to stop it does not leave it running.
  const deadline = setTimeout(() => child.kill('SIGKILL'), 120_000);
  deadline.unref();
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    clearTimeout(deadline);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await once(child, 'exit');
      clearTimeout(killer);
    }
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return { url, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`prometheus did not become ready: ${stderr}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}
