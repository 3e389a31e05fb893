import type { TapEvent, TapMatch } from '@weft/api/tap';
import type { RequestHooks, RequestMeta, RequestObserver, ResponseEnd } from '../trace/observe.ts';

// Tap: live request events for whoever is watching. A watcher names a match
// (path prefix, method, authority) and a rate; each request it matches, within
// the rate, yields three events: req (request init), rsp (response init) and
// end (response end). Nothing is recorded while nobody watches. The request
// event carries the request's headers, credentials redacted (Linkerd's tap
// shows headers too; a token in a terminal or a browser is one too many).

export interface Watcher {
  readonly match: TapMatch;
  /** Requests per second this watcher sees at most; the rest are skipped. */
  readonly maxRps: number;
  emit(event: TapEvent): void;
}

export const MAX_WATCHERS = 16;

/** A tapped request's headers: enough to debug with, bounded, and no credentials. */
const MAX_HEADERS = 32;
const MAX_HEADER_CHARS = 512;
const REDACTED = new Set(['authorization', 'proxy-authorization', 'cookie']);

export function tapHeaders(headers: RequestMeta['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  let kept = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    if (kept++ >= MAX_HEADERS) break;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    out[name] = REDACTED.has(name) ? '<redacted>' : text.slice(0, MAX_HEADER_CHARS);
  }
  return out;
}

interface Slot {
  readonly watcher: Watcher;
  windowStart: number;
  inWindow: number;
}

export function matches(m: TapMatch, meta: RequestMeta): boolean {
  if (m.method && m.method.toUpperCase() !== meta.method.toUpperCase()) return false;
  if (m.authority && m.authority !== meta.authority) return false;
  if (m.pathPrefix && !meta.path.startsWith(m.pathPrefix)) return false;
  return true;
}

export class Tap implements RequestObserver {
  readonly #slots: Slot[] = [];
  #next = 0;
  readonly #base: string;

  constructor(base = String(process.pid)) {
    this.#base = base;
  }

  get active(): boolean {
    return this.#slots.length > 0;
  }

  get watchers(): number {
    return this.#slots.length;
  }

  /** Returns the function that stops watching, or undefined when too many watch already. */
  watch(watcher: Watcher): (() => void) | undefined {
    if (this.#slots.length >= MAX_WATCHERS) return undefined;
    const slot: Slot = { watcher, windowStart: 0, inWindow: 0 };
    this.#slots.push(slot);
    return () => {
      const i = this.#slots.indexOf(slot);
      if (i >= 0) this.#slots.splice(i, 1);
    };
  }

  begin(meta: RequestMeta, startNs: bigint): RequestHooks | undefined {
    let chosen: Watcher[] | undefined;
    const now = Number(startNs / 1_000_000n);
    for (const slot of this.#slots) {
      if (!matches(slot.watcher.match, meta)) continue;
      if (now - slot.windowStart >= 1000) {
        slot.windowStart = now;
        slot.inWindow = 0;
      }
      if (slot.inWindow >= slot.watcher.maxRps) continue;
      slot.inWindow++;
      if (chosen) chosen.push(slot.watcher);
      else chosen = [slot.watcher];
    }
    if (!chosen) return undefined;
    const watchers = chosen;
    const base = {
      id: `${this.#base}:${this.#next++}`,
      proxy: meta.direction === 'inbound' ? ('in' as const) : ('out' as const),
      src: meta.src,
      dst: meta.dst,
      tls: meta.tls,
      clientId: meta.clientId,
      serverId: meta.serverId,
      method: meta.method,
      scheme: meta.scheme,
      authority: meta.authority,
      path: meta.path,
    };
    const send = (e: TapEvent) => {
      for (const w of watchers) w.emit(e);
    };
    send({ type: 'req', ...base, headers: tapHeaders(meta.headers), traceId: meta.trace?.traceId });
    let responseNs: bigint | undefined;
    const us = (a: bigint, b: bigint) => Number((a - b) / 1000n);
    return {
      responseStart(atNs: bigint, status: number) {
        responseNs = atNs;
        send({ type: 'rsp', ...base, status, sinceRequestInitUs: us(atNs, startNs) });
      },
      end(atNs: bigint, r: ResponseEnd) {
        send({
          type: 'end',
          ...base,
          status: r.status,
          sinceRequestInitUs: us(atNs, startNs),
          sinceResponseInitUs: responseNs === undefined ? 0 : us(atNs, responseNs),
          responseBytes: r.bytes,
          grpcStatus: r.grpcStatus >= 0 ? r.grpcStatus : undefined,
          resetCode: r.resetCode,
        });
      },
    };
  }
}
