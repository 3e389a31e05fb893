import { log } from '../app/log.ts';
import type { ProfileListener } from '../profile/profile.ts';
import { decide, type OriginalTarget, PASSTHROUGH } from './decide.ts';

// Discovery by original destination: one GetProfile watch per `IP:port` the
// app connected to, its latest answer kept as a decision, so only the first
// connection to an address waits for the control plane. An address no
// connection asked for within the idle timeout is forgotten (its watch
// cancelled), as Linkerd's outbound cache does.

export type ProfileWatch = (authority: string, listener: ProfileListener) => () => void;

/** `undefined`: the control plane did not answer in time. */
export type TargetWaiter = (target: OriginalTarget | undefined) => void;

interface Entry {
  target: OriginalTarget | undefined;
  readonly waiters: Set<TargetWaiter>;
  unwatch: () => void;
  lastUsed: number;
}

export class OriginalDiscovery {
  readonly #entries = new Map<string, Entry>();
  readonly #profiles: ProfileWatch | undefined;
  readonly #idleMs: number;
  readonly #waitMs: number;
  readonly #evictTimer: NodeJS.Timeout;

  /** Without `profiles` (no control plane) every address is passed through. */
  constructor(profiles: ProfileWatch | undefined, idleMs: number, waitMs: number) {
    this.#profiles = profiles;
    this.#idleMs = idleMs;
    this.#waitMs = waitMs;
    this.#evictTimer = setInterval(() => this.#evictIdle(), Math.max(50, idleMs / 2));
    this.#evictTimer.unref();
  }

  /** Addresses being watched. */
  get size(): number {
    return this.#entries.size;
  }

  /** Calls `done` once: at once when the address's answer is known, else when it comes (or the wait ends). */
  lookup(key: string, port: number, done: TargetWaiter): void {
    const profiles = this.#profiles;
    if (!profiles) {
      done(PASSTHROUGH);
      return;
    }
    let entry = this.#entries.get(key);
    if (!entry) {
      const created: Entry = { target: undefined, waiters: new Set(), unwatch: () => {}, lastUsed: 0 };
      this.#entries.set(key, created);
      created.unwatch = profiles(key, (profile, known) => {
        created.target = decide(key, port, profile, known);
        log.debug('original destination discovered', { address: key, ...created.target });
        for (const waiter of created.waiters) waiter(created.target);
        created.waiters.clear();
      });
      entry = created;
    }
    entry.lastUsed = performance.now();
    if (entry.target) {
      done(entry.target);
      return;
    }
    const waiters = entry.waiters;
    let timer: NodeJS.Timeout | undefined;
    const waiter: TargetWaiter = (target) => {
      clearTimeout(timer);
      done(target);
    };
    timer = setTimeout(() => {
      waiters.delete(waiter);
      done(undefined);
    }, this.#waitMs);
    waiters.add(waiter);
  }

  #evictIdle(): void {
    const cutoff = performance.now() - this.#idleMs;
    for (const [key, entry] of this.#entries) {
      if (entry.waiters.size > 0 || entry.lastUsed > cutoff) continue;
      entry.unwatch();
      this.#entries.delete(key);
    }
  }

  close(): void {
    clearInterval(this.#evictTimer);
    for (const entry of this.#entries.values()) {
      entry.unwatch();
      for (const waiter of entry.waiters) waiter(undefined);
    }
    this.#entries.clear();
  }
}
