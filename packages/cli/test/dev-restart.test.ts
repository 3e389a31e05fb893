import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { VizClient } from '../src/viz/client.ts';
import type { LocalProcess } from '../src/viz/workload.ts';
import { alive, childrenOf } from './support/processes.ts';
import { WeftDev } from './support/weft-dev.ts';

// `weft dev` supervises like a kubelet: under steady load through web's
// sidecar, the control plane, identity, an app and a sidecar are SIGKILLed
// in turn. Each comes back on its own address, `weft check` goes green again
// with its restart counted, and the load barely notices: with the control
// plane or identity down, proxies serve from the endpoints and certificates
// they hold; an app or sidecar that restarts has no endpoints meanwhile, so
// its peers hold new requests until it is back, and only those in flight on
// it fail.

const RATE_PER_S = 50;
/** Back: restarted and ready. */
const RECOVERY_MS = 10_000;
/** And `weft check` green, which takes a run or two of `weft check` (1-3 s each on a busy machine) more. */
const GREEN_MS = 15_000;
/**
 * An app or sidecar killed fails the requests in flight on it (as many as the
 * machine is slow), and those its peers send it in the moment before they hear
 * its endpoint is gone: at 50/s, a few.
 */
const FAILURES_SENT_AFTER_APP_KILL = 10;

let dev: WeftDev | undefined;
let load: Load | undefined;

afterEach(async () => {
  await load?.stop();
  load = undefined;
  await dev?.dispose();
  dev = undefined;
});

interface Outcome {
  readonly path: string;
  readonly startedAt: number;
  /** When it answered or failed: a request in flight when a process is killed fails after the kill, in the phase of that kill. */
  readonly endedAt: number;
  /** The status, or the error of a request that got no response. */
  readonly result: number | string;
}

/** GETs alternating between two paths at a fixed rate; each response is read whole. */
class Load {
  readonly outcomes: Outcome[] = [];
  readonly #inflight = new Set<Promise<void>>();
  readonly #timer: NodeJS.Timeout;

  constructor(base: string, paths: readonly string[]) {
    let n = 0;
    this.#timer = setInterval(() => {
      const path = paths[n++ % paths.length] as string;
      const startedAt = performance.now();
      const request = fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) })
        .then(async (res) => {
          // A failure's body says which hop failed and how.
          const body = await res.text();
          return res.status === 200 ? 200 : `${res.status} ${body}`;
        })
        .catch((error: Error) => String(error.cause ?? error.message))
        .then((result) => {
          this.outcomes.push({ path, startedAt, endedAt: performance.now(), result });
        });
      this.#inflight.add(request);
      void request.finally(() => this.#inflight.delete(request));
    }, 1000 / RATE_PER_S);
  }

  /** Requests that ended in [from, to), and those of them that did not answer 200. */
  between(from: number, to: number): { sent: number; failed: Outcome[] } {
    const ended = this.outcomes.filter((o) => o.endedAt >= from && o.endedAt < to);
    return { sent: ended.length, failed: ended.filter((o) => o.result !== 200) };
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all(this.#inflight);
  }
}

interface Check {
  success: boolean;
  processes: LocalProcess[];
}

describe('weft dev restarts what dies', () => {
  it('brings back the control plane, identity, an app and a sidecar under load, failing at most the requests in flight on them', async () => {
    const mesh = new WeftDev(['--no-bot']);
    dev = mesh;
    const url = await mesh.url;
    const viz = VizClient.resolve(undefined, {}, mesh.dir);
    const processes = async () => (await mesh.json<Check>('check')).processes;
    const names = (await processes()).map((p) => p.name);
    expect(names).toContain('emoji-proxy');

    // :joy: is a vote that succeeds; /api/list goes to emoji.
    const traffic = new Load(url, ['/api/list', '/api/vote?choice=:joy:']);
    load = traffic;
    await sleep(2000);

    // Each phase runs from one kill to the next (the last to the end of the load), so every request
    // counts, in the phase in which it ended: one in flight on the next victim fails because of that kill.
    const phases: { name: string; allowed: number; from: number; line: string }[] = [];
    for (const [name, allowed] of [
      ['control-plane', 0],
      ['identity', 0],
      // An app or sidecar: what was in flight on it fails, and at most this many sent after the kill.
      ['emoji', FAILURES_SENT_AFTER_APP_KILL],
      ['emoji-proxy', FAILURES_SENT_AFTER_APP_KILL],
    ] as const) {
      const victim = (await viz.inventory()).processes.find((p) => p.name === name);
      expect(victim?.pid).toBeDefined();
      const from = performance.now();
      process.kill(victim?.pid as number, 'SIGKILL');

      // Back when its new run is ready (asked of the viz API, which is quick)
      // and then every check of `weft check` passes again.
      let back: LocalProcess | undefined;
      while (performance.now() - from < RECOVERY_MS) {
        back = (await viz.inventory()).processes.find((p) => p.name === name);
        if (back?.ready && back.restarts >= 1) break;
        await sleep(100);
      }
      const readyMs = performance.now() - from;
      expect(back, `${name} ready within ${RECOVERY_MS} ms`).toMatchObject({ ready: true, restarts: 1 });
      let check: Check | undefined;
      while (performance.now() - from < GREEN_MS) {
        check = await mesh.json<Check>('check').catch(() => undefined);
        if (check?.success) break;
        await sleep(200);
      }
      back = check?.processes.find((p) => p.name === name);
      const recoveredMs = performance.now() - from;
      expect(back, `weft check green within ${GREEN_MS} ms`).toMatchObject({ ready: true, restarts: 1 });
      expect(back?.pid).not.toBe(victim?.pid);
      expect(check?.success).toBe(true);
      expect(mesh.output).toContain(`[dev] ${name} exited (killed by SIGKILL); restart 1 in 0.5s`);
      const readyAgain = new RegExp(`\\[dev\\] √ ${name} ready again \\(restart 1, ([\\d.]+)s\\)`).exec(mesh.output);
      phases.push({
        name,
        allowed,
        from,
        line: `${name}: ready ${readyAgain?.[1]} s after its restart and ${(readyMs / 1000).toFixed(1)} s after the kill, check green after ${(recoveredMs / 1000).toFixed(1)} s`,
      });
      // Load keeps flowing after it is back.
      await sleep(1000);
    }
    await traffic.stop();
    const end = performance.now();
    // Before the first kill, nothing fails.
    expect(traffic.between(0, phases[0]?.from ?? end).failed).toEqual([]);
    const report = phases.map((phase, i) => {
      const { sent, failed } = traffic.between(phase.from, phases[i + 1]?.from ?? end);
      // With the control plane or identity down nothing may fail; an app's kill fails what was in flight on it.
      const inFlight = failed.filter((f) => f.startedAt < phase.from);
      const counted = phase.allowed === 0 ? failed : failed.filter((f) => !inFlight.includes(f));
      return {
        phase,
        sent,
        counted,
        line: `${phase.line}, ${failed.length} of ${sent} failed (${inFlight.length} in flight at the kill) ${JSON.stringify(failed.map((f) => `${f.path} ${f.result}`))}`,
      };
    });
    const all = traffic.between(0, end);
    console.log(`${report.map((r) => r.line).join('\n')}\n${all.failed.length} of ${all.sent} requests failed in all`);
    for (const { phase, sent, counted } of report) {
      expect(counted.length, report.map((r) => r.line).join('\n')).toBeLessThanOrEqual(phase.allowed);
      expect(sent).toBeGreaterThan(RATE_PER_S);
    }
    // Every restart counted, and every other process untouched.
    const counts = Object.fromEntries((await processes()).map((p) => [p.name, p.restarts]));
    expect(counts).toEqual({
      identity: 1,
      'control-plane': 1,
      'emoji-proxy': 1,
      'voting-proxy': 0,
      'web-proxy': 0,
      emoji: 1,
      voting: 0,
      web: 0,
    });
    const children = childrenOf(mesh.pid);
    expect(children).toHaveLength(8);
    expect(await mesh.stop('SIGINT')).toBe(0);
    expect(children.filter(alive)).toEqual([]);
  }, 150_000);
});
