import type { Update } from '@weft/api/gen/weft/destination/Update.ts';
import type { ResourceState } from '../store/state.ts';
import type { ServiceTarget } from './authority.ts';
import { diffUpdates } from './endpoint-translator.ts';
import { type DestinationConfig, type ResolvedEndpoints, resolveEndpoints } from './endpoints.ts';

/** An Update ready for the wire: already encoded when many streams share it. */
export type Outgoing = Update | Buffer;

/** Someone following a topic: told to catch up when its endpoints change. */
export interface TopicListener {
  flush(): void;
}

/**
 * The endpoints of one Service port, shared by every Get stream that asks for
 * it. A change is resolved, diffed and encoded once; streams that were in step
 * write those same bytes, and only a stream that fell behind diffs on its own.
 */
export class EndpointTopic {
  readonly target: ServiceTarget;
  readonly listeners = new Set<TopicListener>();
  current: ResolvedEndpoints;
  private last?: { from: ResolvedEndpoints; messages: Buffer[] };
  private readonly encode: (u: Update) => Buffer;

  constructor(target: ServiceTarget, state: ResourceState, cfg: DestinationConfig, encode: (u: Update) => Buffer) {
    this.target = target;
    this.encode = encode;
    this.current = resolveEndpoints(state, cfg, target);
  }

  /** Re-resolves; true when the endpoints (or whether the service exists) changed. */
  refresh(state: ResourceState, cfg: DestinationConfig): boolean {
    const next = resolveEndpoints(state, cfg, this.target);
    const updates = diffUpdates(this.target, this.current, next);
    if (updates.length === 0) {
      // Keep the set of pods to watch accurate even when nothing visible changed.
      this.current.pods = next.pods;
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
    return diffUpdates(this.target, sent, this.current);
  }
}
