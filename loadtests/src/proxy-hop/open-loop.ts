import { Agent, request } from 'node:http';

// Open-loop load: requests leave on a fixed schedule whatever the answers do,
// and each latency counts from when the request was due, so a stall shows up
// in the percentiles instead of slowing the sender (no coordinated omission).

export interface OpenLoopResult {
  readonly rate: number;
  readonly sent: number;
  readonly ok: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export async function openLoop(url: string, rate: number, durationMs: number): Promise<OpenLoopResult> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error('benchmarks only target loopback');
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round((rate * durationMs) / 1000);
  const interval = 1000 / rate;
  const latencies = new Float64Array(total);
  let ok = 0;
  let done = 0;
  let next = 0;
  const start = performance.now() + 5;
  await new Promise<void>((resolve) => {
    const fire = (due: number, slot: number) => {
      const req = request(target, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies[slot] = performance.now() - due;
          if (res.statusCode === 200) ok++;
          if (++done === total) resolve();
        });
      });
      req.on('error', () => {
        latencies[slot] = performance.now() - due;
        if (++done === total) resolve();
      });
      req.end();
    };
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        fire(start + next * interval, next);
        next++;
      }
      if (next < total) setTimeout(tick, 1);
    };
    setTimeout(tick, 5);
    // Bounded even if answers never come.
    setTimeout(resolve, durationMs + 15_000);
  });
  agent.destroy();
  const sorted = latencies.subarray(0, total).sort();
  const at = (p: number) => sorted[Math.min(total - 1, Math.floor(p * total))] as number;
  return { rate, sent: total, ok, p50Ms: at(0.5), p99Ms: at(0.99) };
}
