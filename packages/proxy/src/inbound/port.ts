import type { RequestSeries } from '../metrics/http.ts';
import type { Metrics } from '../metrics/registry.ts';
import { InboundPolicy } from '../policy/authorize.ts';
import type { PolicySource } from '../policy/client.ts';
import type { Timeouts, UndetectedAction } from '../settings/listener.ts';
import { AppUpstream } from './app-upstream.ts';

// One port of the local app as the inbound side serves it: where its bytes go
// (127.0.0.1:port), the Server policy that selects it (replaced whole on every
// update), what a plaintext connection detection cannot name becomes there,
// and the metric labels that name it. Connections redirected to the inbound
// listener are served by the port they were sent to.

export interface InboundPortOptions {
  readonly timeouts: Timeouts;
  readonly metrics: Metrics;
  /** The port's authorization policy; without one everything is allowed. */
  readonly policy: PolicySource | undefined;
  readonly undetected: UndetectedAction;
  /**
   * Serve nothing until the policy API has answered, at most this long (then
   * the policy's `initial` applies): a port first used after start-up would
   * otherwise admit what its Server denies while the answer is on its way.
   */
  readonly waitMs?: number;
}

export class InboundPort {
  readonly app: AppUpstream;
  readonly undetected: UndetectedAction;
  readonly labels: Readonly<Record<string, string>>;
  /** Request series by client identity and authority. */
  readonly series = new Map<string, RequestSeries>();
  /** The compiled policy; undefined: everything is allowed. */
  policy: InboundPolicy | undefined;
  /** Connections open on it, and when the last one was accepted (performance.now()). */
  open = 0;
  lastUsed = performance.now();
  readonly #unwatch: (() => void) | undefined;
  /** Connections held until the first answer; undefined once it came (or was never awaited). */
  #held: (() => void)[] | undefined;
  #waitTimer: NodeJS.Timeout | undefined;

  constructor(host: string, port: number, opts: InboundPortOptions) {
    this.app = new AppUpstream(host, port, opts.timeouts, opts.metrics);
    this.undetected = opts.undetected;
    this.labels = { target_addr: `${host}:${port}`, target_ip: host, target_port: String(port) };
    const source = opts.policy;
    const initial = source?.initial;
    if (source && opts.waitMs !== undefined) {
      this.#held = [];
      this.#waitTimer = setTimeout(() => this.#settle(initial && new InboundPolicy(initial)), opts.waitMs);
    } else if (initial) this.policy = new InboundPolicy(initial);
    this.#unwatch = source?.watch((p) => this.#settle(new InboundPolicy(p)));
  }

  #settle(policy: InboundPolicy | undefined): void {
    this.policy = policy;
    clearTimeout(this.#waitTimer);
    const held = this.#held;
    this.#held = undefined;
    if (held) for (const go of held) go();
  }

  /** Runs `go` once the port's policy is known: at once, unless the first answer is still awaited. */
  whenReady(go: () => void): void {
    if (this.#held) this.#held.push(go);
    else go();
  }

  close(): void {
    clearTimeout(this.#waitTimer);
    this.#held = undefined;
    this.#unwatch?.();
    this.app.close();
  }
}
