import { Agent, request } from 'node:http';

export interface LoadOptions {
  /** Requests in flight at once, each on its own keep-alive connection (a closed loop). */
  readonly connections: number;
  readonly durationMs: number;
  /** Loopback only: benchmarks never send traffic elsewhere. */
  readonly url: string;
  /** Upper bound on requests, so a run stops even if time handling goes wrong. */
  readonly maxRequests: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** Responses by status code; transport errors count under 0. */
  readonly statuses: ReadonlyMap<number, number>;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * A small closed-loop HTTP/1.1 load generator: `connections` workers each
 * send a GET, read the whole response, and send the next, until the time or
 * the request budget is spent. It refuses any host but loopback.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new Error(`load tests only target loopback, not ${target.hostname}`);
  }
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies = new Float64Array(options.maxRequests);
  const statuses = new Map<number, number>();
  let sent = 0;
  let done = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;

  const once = () =>
    new Promise<number>((resolve) => {
      const req = request(target, { agent }, (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      });
      req.on('error', () => resolve(0));
      req.end();
    });

  const worker = async () => {
    while (performance.now() < deadline && sent < options.maxRequests) {
      sent += 1;
      const t0 = performance.now();
      const status = await once();
      latencies[done] = performance.now() - t0;
      done += 1;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  const elapsed = performance.now() - started;
  agent.destroy();
  const sorted = latencies.subarray(0, done).sort();
  return {
    requests: done,
    requestsPerSecond: done / (elapsed / 1000),
    statuses,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}
