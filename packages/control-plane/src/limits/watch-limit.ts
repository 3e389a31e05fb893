import type { ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Metrics } from '../admin/metrics.ts';
import { followCall } from '../destination/follow-call.ts';
import { cpError, ErrorCode } from '../errors.ts';
import { grpcStatusOf } from '../grpc-status.ts';
import { callerOf } from '../tls/client-identity.ts';

// Every watch costs the control plane memory for as long as it is open, so
// one client (a broken or hostile proxy) must not be able to take it all:
// each client identity, or each plaintext connection, holds at most `max`
// watches at once, across Get, GetProfile and WatchPort. Past that a new
// call fails at once with RESOURCE_EXHAUSTED and the others keep working.

const LOG_EVERY_MS = 60_000;

export type WarnLog = (msg: string, fields: Record<string, unknown>) => void;

const stderrWarn: WarnLog = (msg, fields) =>
  console.error(JSON.stringify({ time: new Date().toISOString(), level: 'warn', msg, ...fields }));

export interface WatchLimitOptions {
  readonly max: number;
  readonly metrics: Metrics;
  readonly warn?: WarnLog;
  readonly now?: () => number;
}

export class WatchLimit {
  readonly #max: number;
  readonly #open = new Map<string, number>();
  /** When each refused client was last logged; entries older than a minute are dropped as we go. */
  readonly #logged = new Map<string, number>();
  readonly #refused: (labels?: Record<string, string>) => void;
  readonly #warn: WarnLog;
  readonly #now: () => number;

  constructor(options: WatchLimitOptions) {
    this.#max = options.max;
    this.#refused = options.metrics.counter(
      'watches_refused_total',
      'Watch calls refused because their client already held the most it may',
    );
    this.#warn = options.warn ?? stderrWarn;
    this.#now = options.now ?? Date.now;
  }

  /** Wraps server-streaming handlers so each call counts against its client while it is open. */
  wrap(impl: UntypedServiceImplementation, methods: readonly string[]): UntypedServiceImplementation {
    const wrapped: UntypedServiceImplementation = { ...impl };
    for (const name of methods) {
      const handler = impl[name] as (call: ServerWritableStream<unknown, unknown>) => void;
      wrapped[name] = ((call: ServerWritableStream<unknown, unknown>) => {
        if (this.#admit(call, name)) handler(call);
      }) as UntypedServiceImplementation[string];
    }
    return wrapped;
  }

  #admit(call: ServerWritableStream<unknown, unknown>, rpc: string): boolean {
    const { key } = callerOf(call);
    const open = this.#open.get(key) ?? 0;
    if (open >= this.#max) {
      this.#refused({ rpc });
      this.#logRefusal(key, rpc);
      call.emit(
        'error',
        grpcStatusOf(
          cpError(ErrorCode.TooManyWatches, `${key} already holds ${open} watches, the most one client may`, {
            client: key,
          }),
        ),
      );
      return false;
    }
    this.#open.set(key, open + 1);
    followCall(
      call,
      () => {
        const left = (this.#open.get(key) ?? 1) - 1;
        if (left === 0) this.#open.delete(key);
        else this.#open.set(key, left);
      },
      () => {},
    );
    return true;
  }

  #logRefusal(key: string, rpc: string): void {
    const now = this.#now();
    for (const [client, at] of this.#logged) if (now - at >= LOG_EVERY_MS) this.#logged.delete(client);
    if (this.#logged.has(key)) return;
    this.#logged.set(key, now);
    this.#warn('client refused: too many watches', {
      code: ErrorCode.TooManyWatches,
      client: key,
      rpc,
      max: this.#max,
    });
  }
}
