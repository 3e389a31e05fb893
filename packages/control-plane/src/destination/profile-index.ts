import type { DestinationProfile } from '@weft/api/gen/weft/destination/DestinationProfile.ts';
import type { ChangeSet } from '../store/state.ts';
import type { ResourceStore } from '../store/store.ts';
import type { ClientContext, ServiceTarget } from './authority.ts';
import type { TopicListener } from './endpoint-topic.ts';
import { buildProfile } from './profile-translator.ts';

/** The profile of one Service port as seen from one client namespace (ServiceProfiles there win). */
export class ProfileTopic {
  readonly target: ServiceTarget;
  readonly clientNamespace: string;
  readonly listeners = new Set<TopicListener>();
  /** Bumped on every change; a stream that sent this version is up to date. */
  version = 0;
  encoded: Buffer = Buffer.alloc(0);
  private json = '';

  constructor(target: ServiceTarget, clientNamespace: string) {
    this.target = target;
    this.clientNamespace = clientNamespace;
  }

  /** Rebuilds the profile; true when it differs from the last one. */
  refresh(store: ResourceStore, clusterDomain: string, encode: (p: DestinationProfile) => Buffer): boolean {
    const profile = buildProfile(store.state, this.target, { namespace: this.clientNamespace }, clusterDomain);
    const json = JSON.stringify(profile);
    if (json === this.json) return false;
    this.json = json;
    this.encoded = encode(profile);
    this.version++;
    return true;
  }

  /** Whether a change to these keys (`ns/name`) can alter this profile. */
  concerns(changes: ChangeSet): boolean {
    const t = this.target;
    for (const key of changes.keys.get('ServiceProfile') ?? []) {
      if (key === `${this.clientNamespace}/${t.fqdn}` || key === `${t.namespace}/${t.fqdn}`) return true;
    }
    for (const kind of ['HTTPRoute', 'GRPCRoute'] as const) {
      for (const key of changes.keys.get(kind) ?? []) if (key.startsWith(`${t.namespace}/`)) return true;
    }
    return changes.keys.get('Service')?.has(`${t.namespace}/${t.service}`) ?? false;
  }
}

/**
 * Shares GetProfile work the way EndpointIndex shares Get: one store
 * subscription, each profile built and encoded once per change, whatever the
 * number of streams that follow it.
 */
export class ProfileIndex {
  private readonly store: ResourceStore;
  private readonly clusterDomain: string;
  private readonly encode: (p: DestinationProfile) => Buffer;
  private readonly topics = new Map<string, ProfileTopic>();

  constructor(store: ResourceStore, clusterDomain: string, encode: (p: DestinationProfile) => Buffer) {
    this.store = store;
    this.clusterDomain = clusterDomain;
    this.encode = encode;
    store.subscribe((changes) => this.onChange(changes));
  }

  join(target: ServiceTarget, client: ClientContext, listener: TopicListener): ProfileTopic {
    const key = `${client.namespace}|${target.namespace}/${target.service}:${target.port}`;
    let topic = this.topics.get(key);
    if (!topic) {
      topic = new ProfileTopic(target, client.namespace);
      topic.refresh(this.store, this.clusterDomain, this.encode);
      this.topics.set(key, topic);
    }
    topic.listeners.add(listener);
    return topic;
  }

  leave(topic: ProfileTopic, listener: TopicListener): void {
    topic.listeners.delete(listener);
    if (topic.listeners.size > 0) return;
    const t = topic.target;
    this.topics.delete(`${topic.clientNamespace}|${t.namespace}/${t.service}:${t.port}`);
  }

  private onChange(changes: ChangeSet): void {
    if (!changes.keys.has('ServiceProfile') && !changes.keys.has('HTTPRoute') && !changes.keys.has('GRPCRoute')) {
      if (!changes.keys.has('Service')) return;
    }
    for (const topic of this.topics.values()) {
      if (!topic.concerns(changes)) continue;
      if (topic.refresh(this.store, this.clusterDomain, this.encode)) for (const l of topic.listeners) l.flush();
    }
  }
}
