import type { ServerWritableStream } from '@grpc/grpc-js';
import type { DestinationProfile } from '@weft/api/gen/weft/destination/DestinationProfile.ts';
import type { GetDestination__Output } from '@weft/api/gen/weft/destination/GetDestination.ts';
import type { ChangeSet } from '../store/state.ts';
import type { ResourceStore } from '../store/store.ts';
import type { ClientContext, ServiceTarget } from './authority.ts';
import { buildProfile } from './profile-translator.ts';

const PROFILE_KINDS = ['ServiceProfile', 'HTTPRoute', 'GRPCRoute'] as const;

/** One GetProfile stream: the whole profile, sent again whenever it changes. */
export class ProfileStream {
  private readonly call: ServerWritableStream<GetDestination__Output, DestinationProfile>;
  private readonly store: ResourceStore;
  private readonly target: ServiceTarget;
  private readonly client: ClientContext;
  private readonly clusterDomain: string;
  private lastSent = '';
  private blocked = false;

  constructor(
    call: ServerWritableStream<GetDestination__Output, DestinationProfile>,
    store: ResourceStore,
    target: ServiceTarget,
    client: ClientContext,
    clusterDomain: string,
  ) {
    this.call = call;
    this.store = store;
    this.target = target;
    this.client = client;
    this.clusterDomain = clusterDomain;
  }

  start(onEnd: () => void): void {
    const serviceKey = `${this.target.namespace}/${this.target.service}`;
    const unsubscribe = this.store.subscribe((changes: ChangeSet) => {
      if (PROFILE_KINDS.some((k) => changes.keys.has(k)) || changes.keys.get('Service')?.has(serviceKey)) this.flush();
    });
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      unsubscribe();
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

  private flush(): void {
    if (this.blocked || this.call.cancelled) return;
    const profile = buildProfile(this.store.state, this.target, this.client, this.clusterDomain);
    const encoded = JSON.stringify(profile);
    // Unrelated edits (another service's profile) must not resend an identical profile.
    if (encoded === this.lastSent) return;
    this.lastSent = encoded;
    if (!this.call.write(profile)) this.blocked = true;
  }
}
