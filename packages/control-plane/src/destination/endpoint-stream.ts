import type { ServerWritableStream } from '@grpc/grpc-js';
import type { GetDestination__Output } from '@weft/api/gen/weft/destination/GetDestination.ts';
import type { Update } from '@weft/api/gen/weft/destination/Update.ts';
import type { ChangeSet } from '../store/state.ts';
import type { ResourceStore } from '../store/store.ts';
import type { ServiceTarget } from './authority.ts';
import { diffUpdates } from './endpoint-translator.ts';
import { type DestinationConfig, type ResolvedEndpoints, resolveEndpoints } from './endpoints.ts';

/**
 * One Get stream. It remembers what it last sent and, on a relevant change,
 * sends the diff to the current endpoints. While the client is slow (write
 * buffer full) changes are not queued: after 'drain' one diff covers them all,
 * so memory per stream stays bounded however fast endpoints churn.
 */
export class EndpointStream {
  private readonly call: ServerWritableStream<GetDestination__Output, Update>;
  private readonly store: ResourceStore;
  private readonly cfg: DestinationConfig;
  private readonly target: ServiceTarget;
  private readonly serviceKey: string;
  private sent: ResolvedEndpoints | undefined;
  private blocked = false;
  private unsubscribe: () => void = () => {};
  private readonly onSent: (n: number) => void;

  constructor(
    call: ServerWritableStream<GetDestination__Output, Update>,
    store: ResourceStore,
    cfg: DestinationConfig,
    target: ServiceTarget,
    onSent: (n: number) => void,
  ) {
    this.call = call;
    this.store = store;
    this.cfg = cfg;
    this.target = target;
    this.serviceKey = `${target.namespace}/${target.service}`;
    this.onSent = onSent;
  }

  /** Sends the snapshot and follows changes until the client goes away. */
  start(onEnd: () => void): void {
    this.unsubscribe = this.store.subscribe((changes) => this.onChange(changes));
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.unsubscribe();
      onEnd();
    };
    this.call.once('cancelled', end);
    this.call.once('close', end);
    this.call.once('error', end);
    this.call.on('drain', () => {
      this.blocked = false;
      this.flush();
    });
    this.flush();
  }

  private onChange(changes: ChangeSet): void {
    if (changes.services.has(this.serviceKey) || this.podsChanged(changes)) this.flush();
  }

  private podsChanged(changes: ChangeSet): boolean {
    const pods = changes.keys.get('Pod');
    if (!pods) return false;
    // Labels and identity come from the pod, which may change (or appear) after its slice.
    for (const slice of this.store.state.slicesOf(this.target.namespace, this.target.service)) {
      for (const ep of slice.endpoints) if (ep.pod && pods.has(`${this.target.namespace}/${ep.pod}`)) return true;
    }
    return false;
  }

  private flush(): void {
    if (this.blocked || this.call.cancelled) return;
    const next = resolveEndpoints(this.store.state, this.cfg, this.target);
    const updates = diffUpdates(this.target, this.sent, next);
    this.sent = next;
    for (const update of updates) {
      if (!this.call.write(update)) this.blocked = true;
    }
    this.onSent(updates.length);
  }
}
