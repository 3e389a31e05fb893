import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import * as frames from './support/h2-frames.ts';

// What a hostile client can repeat at will is counted every time and logged
// once per interval: the real proxy process, its stderr and its /metrics.

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const NGHTTP2_PROTOCOL_ERROR = 1;

let child: ChildProcess | undefined;
const sockets: Socket[] = [];

afterEach(() => {
  for (const s of sockets) s.destroy();
  sockets.length = 0;
  child?.kill('SIGKILL');
  child = undefined;
});

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function open(port: number, onClose: () => void): Socket {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => {});
  s.resume();
  s.once('close', onClose);
  sockets.push(s);
  return s;
}

describe('limits and errors on a busy listener', () => {
  it('count every refused connection and broken stream, and log each kind once', async () => {
    const proc = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        WEFT_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_MAX_CONNECTIONS_PER_LISTENER: '2',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = proc;
    let log = '';
    proc.stderr?.on('data', (c) => {
      log += c;
    });
    await until(() => log.includes('"listening"'), 'the proxy listens', 15_000);
    const ports = JSON.parse(log.split('\n').find((l) => l.includes('"listening"')) as string);

    // Two HTTP/2 connections fill the inbound listener.
    let closed = 0;
    const kept = [open(ports.inbound, () => closed++), open(ports.inbound, () => closed++)];
    for (const s of kept) s.write(frames.opening());
    await until(() => kept.every((s) => s.bytesRead > 0), 'both answered with SETTINGS');

    const REFUSED = 30;
    for (let i = 0; i < REFUSED; i++) open(ports.inbound, () => closed++);
    await until(() => closed === REFUSED, 'every connection past the limit closed');

    const STREAMS = 20;
    const broken: Buffer[] = [];
    for (let id = 1; id < STREAMS * 2; id += 2) {
      broken.push(frames.get(id, 'app.local', '/', false), frames.rstStream(id, NGHTTP2_PROTOCOL_ERROR));
    }
    (kept[0] as Socket).write(Buffer.concat(broken));

    const scrape = async () => (await fetch(`http://127.0.0.1:${ports.admin}/metrics`)).text();
    let metrics = '';
    const streamErrors = `network_errors_total{direction="inbound",kind="stream"} ${STREAMS}`;
    const deadline = Date.now() + 10_000;
    while (!metrics.includes(streamErrors) && Date.now() < deadline) {
      metrics = await scrape();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(metrics).toContain(streamErrors);
    expect(metrics).toContain(`limit_exceeded_total{direction="inbound",limit="connections"} ${REFUSED}`);
    // The connections kept are still served.
    expect(closed).toBe(REFUSED);

    const lines = log.split('\n').filter((l) => l.startsWith('{'));
    const limitLines = lines.filter((l) => l.includes('connections limit reached'));
    expect(limitLines).toHaveLength(1);
    expect(JSON.parse(limitLines[0] as string)).toMatchObject({
      level: 'warn',
      direction: 'inbound',
      remote: '127.0.0.1',
    });
    const streamLines = lines.filter((l) => l.includes('inbound stream error'));
    expect(streamLines).toHaveLength(1);
    expect(JSON.parse(streamLines[0] as string).remote).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});
