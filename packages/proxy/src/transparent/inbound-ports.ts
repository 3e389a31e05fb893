import type { Socket } from 'node:net';
import { InboundPort } from '../inbound/port.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { PolicySource } from '../policy/client.ts';
import type { Timeouts, UndetectedAction } from '../settings/listener.ts';
import { originalDst } from './original-dst.ts';

// Which port of the app an inbound connection is for. Redirected by
// proxy-init, it was sent to the pod's IP:P and goes to 127.0.0.1:P, under
// the Server that selects P; made straight to the listener (locally, or a
// peer that dialed the proxy's own port), it goes to the configured app
// address. The pod's declared ports are served from the start; any other is
// built on first use and forgotten once idle, and only so many at once, so a
// peer trying every port leaves nothing behind.

/** Linkerd's inbound discovery idle timeout. */
const IDLE_MS = 90_000;

export interface InboundPortsOptions {
  readonly app: { readonly host: string; readonly port: number };
  readonly timeouts: Timeouts;
  readonly metrics: Metrics;
  /** The app address's policy; without one (nor `policyFor`) everything is allowed. */
  readonly policy?: PolicySource;
  /** The Server policy of another port (WatchPort); without it only the app address has a policy. */
  readonly policyFor?: (port: number) => PolicySource;
  /** The app address's, and any other port's. */
  readonly undetected: UndetectedAction;
  readonly undetectedFor: (port: number) => UndetectedAction;
  /** The proxy's own ports: a connection sent to one of them is never forwarded there. */
  readonly ownPort?: (port: number) => boolean;
  /** The pod's declared ports: served from the start, never forgotten. */
  readonly known?: readonly number[];
  /** Other ports served at once; a connection to one more is refused. */
  readonly maxPorts: number;
}

/** Why a connection has no port to go to. */
export type PortRefusal = 'own_port' | 'ports';

export class InboundPorts {
  readonly default: InboundPort;
  readonly #byPort = new Map<number, InboundPort>();
  readonly #known = new Set<number>();
  readonly #opts: InboundPortsOptions;
  readonly #evictTimer: NodeJS.Timeout;

  constructor(opts: InboundPortsOptions) {
    this.#opts = opts;
    const { app, timeouts, metrics } = opts;
    this.default = new InboundPort(app.host, app.port, {
      timeouts,
      metrics,
      policy: opts.policy,
      undetected: opts.undetected,
    });
    for (const port of opts.known ?? []) {
      if (port === app.port || this.#known.has(port)) continue;
      this.#known.add(port);
      this.#byPort.set(port, this.#create(port));
    }
    this.#evictTimer = setInterval(() => this.#evictIdle(), IDLE_MS / 2);
    this.#evictTimer.unref();
  }

  /**
   * The port `socket` is for, counted open until it closes; or why there is
   * none: it was sent to one of the proxy's own ports (forwarded to 127.0.0.1
   * there, a peer would reach the outbound listener and call out as this
   * workload), or to one port more than are served at once (each is a policy
   * watch and an upstream: a peer trying every port would pile them up).
   */
  of(socket: Socket): InboundPort | PortRefusal {
    const dst = originalDst(socket);
    if (dst && this.#opts.ownPort?.(dst.port)) return 'own_port';
    const port = dst === undefined || dst.port === this.#opts.app.port ? this.default : this.#get(dst.port);
    if (!port) return 'ports';
    port.open++;
    port.lastUsed = performance.now();
    socket.once('close', () => port.open--);
    return port;
  }

  #get(number: number): InboundPort | undefined {
    let port = this.#byPort.get(number);
    if (!port) {
      if (this.#byPort.size - this.#known.size >= this.#opts.maxPorts) return undefined;
      port = this.#create(number);
      this.#byPort.set(number, port);
    }
    return port;
  }

  #create(number: number): InboundPort {
    const { timeouts, metrics } = this.#opts;
    return new InboundPort('127.0.0.1', number, {
      timeouts,
      metrics,
      policy: this.#opts.policyFor?.(number),
      undetected: this.#opts.undetectedFor(number),
      waitMs: timeouts.failFastMs,
    });
  }

  #evictIdle(): void {
    const cutoff = performance.now() - IDLE_MS;
    for (const [number, port] of this.#byPort) {
      if (port.open > 0 || port.lastUsed > cutoff || this.#known.has(number)) continue;
      port.close();
      this.#byPort.delete(number);
    }
  }

  close(): void {
    clearInterval(this.#evictTimer);
    this.default.close();
    for (const port of this.#byPort.values()) port.close();
    this.#byPort.clear();
  }
}
