import type { Update } from '@weft/api/gen/weft/destination/Update.ts';
import type { ResourceState } from '../store/state.ts';
import { diffUpdates } from './endpoint-translator.ts';
import type { ResolvedEndpoints } from './endpoints.ts';

/** An Update ready for the wire: already encoded when many streams share it. */
export type Outgoing = Update | Buffer;

/** Someone following a topic: told to catch up when its endpoints change. */
export interface TopicListener {
  flush(): void;
}

/** How a topic finds its endpoints: those of a Service port, or of whatever an `IP:port` names. */
export type EndpointResolver = (state: ResourceState) => ResolvedEndpoints;

/**
 * The endpoints of one Service port (or address), shared by every Get stream
 * that asks for it. A change is resolved, diffed and encoded once; streams
 * that were in step write those same bytes, and only a stream that fell
 * behind diffs on its own.
 */
export class EndpointTopic {
  /** What it is filed under in the index: `ns/svc:port`, or `ip:port`. */
  readonly key: string;
  /** Set for an `IP:port` topic: any change to what holds this address re-resolves it. */
  readonly ip: string | undefined;
  readonly listeners = new Set<TopicListener>();
  current: ResolvedEndpoints;
  private last?: { from: ResolvedEndpoints; messages: Buffer[] };
  private readonly resolve: EndpointResolver;
  private readonly encode: (u: Update) => Buffer;

  constructor(
    key: string,
    ip: string | undefined,
    resolve: EndpointResolver,
    state: ResourceState,
    encode: (u: Update) => Buffer,
  ) {
    this.key = key;
    this.ip = ip;
    this.resolve = resolve;
    this.encode = encode;
    this.current = resolve(state);
  }

  /** Re-resolves; true when the endpoints (or whether the service exists) changed. */
  refresh(state: ResourceState): boolean {
    const next = this.resolve(state);
    const updates = diffUpdates(this.current, next);
    if (updates.length === 0) {
      // Keep what to watch (and the set's labels) accurate even when nothing visible changed.
      this.current.pods = next.pods;
      this.current.services = next.services;
      this.current.labels = next.labels;
      return false;
    }
    this.last = { from: this.current, messages: updates.map(this.encode) };
    this.current = next;
    return true;
  }

  /** What a stream that last saw `sent` must be sent to reach the current endpoints. */
  updatesSince(sent: ResolvedEndpoints | undefined): Outgoing[] {
    if (sent === this.current) return [];
    if (sent !== undefined && sent === this.last?.from) return this.last.messages;
    return diffUpdates(sent, this.current);
  }
}
