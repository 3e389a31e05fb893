import { CliError, CliErrorCode } from '../errors.ts';
import type { TargetHealth } from './recorder.ts';
import { findState } from './state-file.ts';
import type { LocalProcess, MeshInfo, Workload } from './workload.ts';

// How CLI commands reach the viz API: --api-addr, then WEFT_API_ADDR, then the
// state file `weft dev` wrote in this directory or a parent.

export interface Inventory {
  /** The version of the `weft dev` serving it; absent from older ones. */
  readonly version?: string;
  readonly workloads: (Workload & { health: TargetHealth; scrapes: number })[];
  readonly mesh: MeshInfo;
  /** The processes `weft dev` supervises; empty from a viz server that runs alone. */
  readonly processes: readonly LocalProcess[];
  readonly recorder: { intervalMs: number; retentionMs: number; oldestScrapeAt: number | null };
  readonly otlp: { grpc: string; http: string; forwardedTo?: string; forwardFailures?: number };
}

export class VizClient {
  readonly base: string;

  constructor(base: string) {
    this.base = base.replace(/\/+$/, '');
  }

  static resolve(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd = process.cwd()) {
    const given = flag || env.WEFT_API_ADDR;
    if (given) return new VizClient(/^https?:\/\//.test(given) ? given : `http://${given}`);
    let found: ReturnType<typeof findState>;
    try {
      found = findState(cwd);
    } catch (err) {
      throw new CliError(CliErrorCode.Viz, `the viz state file is unreadable: ${(err as Error).message}`);
    }
    if (!found) {
      throw new CliError(
        CliErrorCode.Viz,
        'no running viz API found: start `weft dev` in this directory, or pass --api-addr / set WEFT_API_ADDR',
      );
    }
    return new VizClient(found.state.apiAddr);
  }

  async get<T>(path: string, timeoutMs = 5000): Promise<T> {
    const res = await this.#fetch(path, timeoutMs);
    const body = await res.text();
    if (res.status !== 200) {
      const message = safeJson(body)?.error ?? body.slice(0, 200);
      throw new CliError(res.status === 404 ? CliErrorCode.NotFound : CliErrorCode.Viz, String(message));
    }
    const json = safeJson(body);
    if (json === undefined) throw new CliError(CliErrorCode.Viz, `the viz API at ${this.base} answered non-JSON`);
    return json as T;
  }

  async text(path: string, timeoutMs = 5000): Promise<string> {
    const res = await this.#fetch(path, timeoutMs);
    const body = await res.text();
    if (res.status !== 200) {
      throw new CliError(res.status === 404 ? CliErrorCode.NotFound : CliErrorCode.Viz, safeJson(body)?.error ?? body);
    }
    return body;
  }

  inventory(): Promise<Inventory> {
    return this.get<Inventory>('/api/v1/inventory');
  }

  async #fetch(path: string, timeoutMs: number): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new CliError(
        CliErrorCode.Viz,
        `the viz API at ${this.base} is unreachable (${cause}); is \`weft dev\` running?`,
      );
    }
  }
}

function safeJson(text: string): { error?: string } | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
