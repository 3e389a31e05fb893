import { type ClientReadableStream, credentials, type ServiceError, status } from '@grpc/grpc-js';
import { loadDestinationApi } from '@weft/api';
import type { DestinationClient } from '@weft/api/gen/weft/destination/Destination.ts';
import type { Update__Output } from '@weft/api/gen/weft/destination/Update.ts';
import type { WeightedAddr__Output } from '@weft/api/gen/weft/destination/WeightedAddr.ts';
import { log } from '../app/log.ts';
import { type EndpointMeta, endpointKey, type Resolver, type Update, type UpdateListener } from './update.ts';

// The destination API client: one Get stream per authority. When the stream
// breaks, the listener keeps what it last heard (we only send a `reset` once
// the control plane answers again), and we reconnect with capped backoff.

export interface DestinationOptions {
  readonly addr: string;
  readonly scheme: string;
  readonly contextToken: string;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export class DestinationResolver implements Resolver {
  readonly #client: DestinationClient;
  readonly #opts: DestinationOptions;

  constructor(opts: DestinationOptions) {
    const api = loadDestinationApi();
    this.#client = new api.weft.destination.Destination(opts.addr, credentials.createInsecure());
    this.#opts = opts;
  }

  resolve(authority: string, listener: UpdateListener): () => void {
    const min = this.#opts.minBackoffMs ?? 100;
    const max = this.#opts.maxBackoffMs ?? 10_000;
    let backoff = min;
    let call: ClientReadableStream<Update__Output> | undefined;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const start = () => {
      timer = undefined;
      let first = true;
      const c = this.#client.Get({
        scheme: this.#opts.scheme,
        path: authority,
        contextToken: this.#opts.contextToken,
      });
      call = c;
      c.on('data', (msg: Update__Output) => {
        backoff = min;
        const update = translate(msg, first);
        first = false;
        if (update) listener(update);
      });
      c.on('error', (err: ServiceError) => {
        if (stopped) return;
        if (err.code === status.NOT_FOUND) listener({ kind: 'doesNotExist' });
        else log.debug('destination stream failed', { authority, error: err.message });
      });
      c.on('close', () => {
        if (stopped || call !== c) return;
        timer = setTimeout(start, backoff);
        backoff = Math.min(max, backoff * 2);
      });
    };
    start();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      call?.cancel();
    };
  }

  close(): void {
    this.#client.close();
  }
}

function translate(msg: Update__Output, first: boolean): Update | undefined {
  switch (msg.update) {
    case 'add': {
      const set = msg.add;
      if (!set) return undefined;
      const endpoints = set.addrs.map((a) => toEndpoint(a, set.metricLabels)).filter((e) => e !== undefined);
      return { kind: first ? 'reset' : 'add', endpoints };
    }
    case 'remove': {
      const keys = (msg.remove?.addrs ?? []).map((a) => endpointKey(a.ip, a.port));
      return first ? { kind: 'reset', endpoints: [] } : { kind: 'remove', keys };
    }
    case 'noEndpoints':
      return msg.noEndpoints?.exists ? { kind: 'reset', endpoints: [] } : { kind: 'doesNotExist' };
    default:
      return undefined;
  }
}

function toEndpoint(a: WeightedAddr__Output, setLabels: Record<string, string>): EndpointMeta | undefined {
  if (!a.addr?.ip || !a.addr.port) return undefined;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(setLabels)) labels[`dst_${k}`] = v;
  for (const [k, v] of Object.entries(a.metricLabels)) labels[`dst_${k}`] = v;
  const id = a.tlsIdentity;
  return {
    key: endpointKey(a.addr.ip, a.addr.port),
    host: a.addr.ip,
    port: a.addr.port,
    weight: a.weight || 10_000,
    labels,
    tls: id?.name ? { name: id.name, serverName: id.serverName || id.name } : undefined,
    opaque: a.protocolHint?.protocol === 'opaque',
  };
}
