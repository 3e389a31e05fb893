import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Closed-loop maximum throughput, measured by C load generators so that the
// baseline (nginx) is not capped by the load's own cost: wrk for HTTP/1.1,
// h2load for HTTP/2 and gRPC. Each run is bounded in time and loopback only.

export interface MaxThroughput {
  readonly requestsPerSecond: number;
  readonly requests: number;
  /** Requests that got no 2xx answer (status, socket error or timeout). */
  readonly failed: number;
  /** Mean time per request in ms, as the generator measured it. */
  readonly meanMs: number;
}

export type H2Kind = 'http2' | 'grpc';

/** What the bench needs on PATH, and the Debian package that brings each. */
export const C_LOAD_TOOLS = { wrk: 'wrk', h2load: 'nghttp2-client' } as const;

function loopback(url: string): string {
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`load only targets loopback, not ${url}`);
  return url;
}

function run(cmd: string, args: string[], seconds: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: (seconds + 30) * 1000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} ${args.join(' ')}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function number(text: string, pattern: RegExp, what: string): number {
  const match = pattern.exec(text);
  if (!match) throw new Error(`no ${what} in:\n${text}`);
  return Number(match[1]);
}

const MS_PER = { us: 0.001, ms: 1, s: 1000 } as const;

/** "12.5ms" as both tools print a duration, in ms (NaN if missing). */
function duration(match: RegExpExecArray | null): number {
  return match ? Number(match[1]) * MS_PER[match[2] as keyof typeof MS_PER] : Number.NaN;
}

/** A wrk run: one thread, `connections` keep-alive connections, `seconds` long. */
export async function wrk(url: string, connections: number, seconds: number): Promise<MaxThroughput> {
  const out = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, loopback(url)], seconds);
  const requests = number(out, /(\d+) requests in/, 'request count');
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requestsPerSecond: number(out, /Requests\/sec:\s+([\d.]+)/, 'Requests/sec'),
    requests,
    failed: Number(non2xx?.[1] ?? 0) + (socketErrors?.slice(1).reduce((n, v) => n + Number(v), 0) ?? 0),
    meanMs: duration(/Latency\s+([\d.]+)(us|ms|s)\b/.exec(out)),
  };
}

/**
 * An h2load run over h2c (prior knowledge): `clients` connections with up to
 * `streams` concurrent streams each, `seconds` long. gRPC sends a small unary message as gRPC clients frame it.
 */
export async function h2load(
  url: string,
  kind: H2Kind,
  clients: number,
  streams: number,
  seconds: number,
  dir: string,
): Promise<MaxThroughput> {
  const args = [`-c${clients}`, `-m${streams}`, `-D${seconds}`];
  let target = loopback(url);
  if (kind === 'grpc') {
    const message = Buffer.from([0x0a, 0x05, ...Buffer.from('bench')]);
    const body = join(dir, 'grpc-request.bin');
    writeFileSync(body, Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]));
    args.push('-d', body, '-H', 'content-type: application/grpc', '-H', 'te: trailers');
    target = new URL('/weft.bench.Bench/Get', target).href;
  }
  const out = await run('h2load', [...args, target], seconds);
  const seen = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded/.exec(out);
  if (!seen) throw new Error(`no request counts in:\n${out}`);
  const done = Number(seen[3]);
  return {
    requestsPerSecond: number(out, /finished in [\d.]+m?s, ([\d.]+) req\/s/, 'req/s'),
    requests: done,
    failed: done - Number(seen[4]),
    meanMs: duration(/time for request:\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)\b/.exec(out)),
  };
}
