import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceSummary } from './otlp/trace-store.ts';
import { startViz, type VizServer } from './server.ts';
import { runCli } from './testing/run-cli.ts';

// emojivoto's own web and emoji-svc processes, unmodified, export their spans
// to the viz receiver through OTEL_EXPORTER_OTLP_ENDPOINT; one page load
// becomes one trace that `weft trace` draws across both services.

const APP = fileURLToPath(new URL('../../../../apps/emojivoto-ts/src/', import.meta.url));
let viz: VizServer;
const children: ChildProcess[] = [];
let webPort = 0;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

function start(entry: string, env: Record<string, string>): void {
  const child = spawn(process.execPath, [`${APP}${entry}`], {
    env: {
      PATH: process.env.PATH,
      OTEL_EXPORTER_OTLP_ENDPOINT: viz.otlpGrpcAddress,
      OTEL_BSP_SCHEDULE_DELAY: '50',
      ...env,
    },
    stdio: 'ignore',
  });
  children.push(child);
}

beforeAll(async () => {
  viz = await startViz();
  const emojiPort = await freePort();
  webPort = await freePort();
  start('emoji/main.ts', { GRPC_PORT: String(emojiPort) });
  start('web/main.ts', {
    WEB_PORT: String(webPort),
    EMOJISVC_HOST: `127.0.0.1:${emojiPort}`,
    VOTINGSVC_HOST: '127.0.0.1:1',
  });
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://127.0.0.1:${webPort}/api/list`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (i > 75) throw new Error('emojivoto web did not answer /api/list within 15 s');
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    c.kill('SIGTERM');
    const killer = setTimeout(() => c.kill('SIGKILL'), 3000);
    await once(c, 'exit');
    clearTimeout(killer);
  }
  await viz.close();
});

describe('weft trace with emojivoto', () => {
  it('draws a page load from web to emoji-svc', async () => {
    const env = { WEFT_API_ADDR: viz.address };
    let trace: TraceSummary | undefined;
    for (let i = 0; i < 50 && !trace; i++) {
      const listed = JSON.parse(
        (await runCli(['trace', '--service', 'emoji', '-o', 'json'], env)).stdout,
      ) as TraceSummary[];
      trace = listed.find((t) => t.rootService === 'web' && t.services.includes('emoji'));
      if (!trace) await new Promise((r) => setTimeout(r, 100));
    }
    expect(trace, 'a trace spanning web and emoji').toBeDefined();
    const { stdout } = await runCli(['trace', trace?.traceId ?? ''], env);
    const lines = stdout.trimEnd().split('\n');
    // Each row: service, and the span's depth from its indent under SPAN.
    const spanColumn = lines[0]?.indexOf('SPAN') ?? 0;
    const rows = lines.slice(1).map((l) => {
      const span = l.slice(spanColumn);
      return `${l.split(' ')[0]} ${(span.length - span.trimStart().length) / 2} ${span.trim().split(/\s+/)[0]}`;
    });
    expect(rows).toEqual([
      'web 0 GET',
      'web 1 emojivoto.v1.EmojiService/ListAll',
      'emoji 2 emojivoto.v1.EmojiService/ListAll',
    ]);
  });
});
