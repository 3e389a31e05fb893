import type { Timeouts, UndetectedAction } from '../app/env.ts';
import type { RequestSeries } from '../metrics/http.ts';
import type { Metrics } from '../metrics/registry.ts';
import { InboundPolicy } from '../policy/authorize.ts';
import type { PolicySource } from '../policy/client.ts';
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

  constructor(host: string, port: number, opts: InboundPortOptions) {
    this.app = new AppUpstream(host, port, opts.timeouts, opts.metrics);
    this.undetected = opts.undetected;
    this.labels = { target_addr: `${host}:${port}`, target_ip: host, target_port: String(port) };
    const source = opts.policy;
    if (source?.initial) this.policy = new InboundPolicy(source.initial);
    this.#unwatch = source?.watch((p) => {
      this.policy = new InboundPolicy(p);
    });
  }

  close(): void {
    this.#unwatch?.();
    this.app.close();
  }
}
