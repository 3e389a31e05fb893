import type { DestinationProfile } from '@weft/api/gen/weft/destination/DestinationProfile.ts';
import { getOrCreate, removeFrom } from '../map-util.ts';
import type { ResourceKind } from '../resources/types.ts';
import type { ChangeSet } from '../store/state.ts';
import type { ResourceStore } from '../store/store.ts';
import { resolveAddress } from './address.ts';
import { type AddressTarget, type ClientContext, isAddressTarget, type ServiceTarget, targetKey } from './authority.ts';
import type { TopicListener } from './endpoint-topic.ts';
import type { DestinationConfig } from './endpoints.ts';
import { buildProfile, DEFAULT_RETRY_BUDGET, endpointProfile } from './profile-translator.ts';

/** Kinds whose change can alter the profile of a Service port. */
const SERVICE_PROFILE_KINDS: readonly ResourceKind[] = ['ServiceProfile', 'HTTPRoute', 'GRPCRoute', 'Service'];

/**
 * The profile of one Service port (or `IP:port`) as seen from one client
 * namespace (ServiceProfiles there win). An address is looked up again on
 * every refresh: it may become a Service's cluster IP, or stop being a pod's.
 */
export class ProfileTopic {
  readonly key: string;
  readonly requested: ServiceTarget | AddressTarget;
  readonly clientNamespace: string;
  readonly listeners = new Set<TopicListener>();
  /** Bumped on every change; a stream that sent this version is up to date. */
  version = 0;
  encoded: Buffer = Buffer.alloc(0);
  private json = '';
  /** The Service port the profile was last built from, if any. */
  private service: ServiceTarget | undefined;
  /** The namespace of the pod an address was last found to be, whose Servers may make its port opaque. */
  private podNamespace: string | undefined;

  constructor(key: string, requested: ServiceTarget | AddressTarget, clientNamespace: string) {
    this.key = key;
    this.requested = requested;
    this.clientNamespace = clientNamespace;
    this.service = isAddressTarget(requested) ? undefined : requested;
  }

  /** Rebuilds the profile; true when it differs from the last one. */
  refresh(store: ResourceStore, cfg: DestinationConfig, encode: (p: DestinationProfile) => Buffer): boolean {
    const profile = this.build(store, cfg);
    const json = JSON.stringify(profile);
    if (json === this.json) return false;
    this.json = json;
    this.encoded = encode(profile);
    this.version++;
    return true;
  }

  private build(store: ResourceStore, cfg: DestinationConfig): DestinationProfile {
    const client = { namespace: this.clientNamespace };
    const addr = this.requested;
    if (!isAddressTarget(addr)) return buildProfile(store.state, addr, client, cfg.clusterDomain);
    const meaning = resolveAddress(store.state, cfg.clusterDomain, addr);
    this.service = meaning.kind === 'service' ? meaning.target : undefined;
    this.podNamespace = meaning.kind === 'pod' ? meaning.namespace : undefined;
    if (meaning.kind === 'service') return buildProfile(store.state, meaning.target, client, cfg.clusterDomain);
    if (meaning.kind === 'pod') return endpointProfile(store.state, cfg, addr, meaning.namespace, meaning.pod);
    // Nothing in the mesh has this address: no routes, no endpoint; the proxy forwards it as it is.
    return { retryBudget: DEFAULT_RETRY_BUDGET };
  }

  /** Whether a change to these keys (`ns/name`) can alter this profile. */
  concerns(changes: ChangeSet): boolean {
    if (isAddressTarget(this.requested) && changes.ips.has(this.requested.ip)) return true;
    if (this.podNamespace !== undefined) {
      for (const key of changes.keys.get('Server') ?? []) if (key.startsWith(`${this.podNamespace}/`)) return true;
    }
    const t = this.service;
    if (!t) return false;
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
  private readonly cfg: DestinationConfig;
  private readonly encode: (p: DestinationProfile) => Buffer;
  private readonly topics = new Map<string, ProfileTopic>();
  /** The topics of `IP:port` paths by IP: the only ones a change of addresses or Servers can concern. */
  private readonly byIp = new Map<string, Set<ProfileTopic>>();

  constructor(store: ResourceStore, cfg: DestinationConfig, encode: (p: DestinationProfile) => Buffer) {
    this.store = store;
    this.cfg = cfg;
    this.encode = encode;
    store.subscribe((changes) => this.onChange(changes));
  }

  join(target: ServiceTarget | AddressTarget, client: ClientContext, listener: TopicListener): ProfileTopic {
    const key = `${client.namespace}|${targetKey(target)}`;
    let topic = this.topics.get(key);
    if (!topic) {
      topic = new ProfileTopic(key, target, client.namespace);
      topic.refresh(this.store, this.cfg, this.encode);
      this.topics.set(key, topic);
      if (isAddressTarget(target)) getOrCreate(this.byIp, target.ip, () => new Set()).add(topic);
    }
    topic.listeners.add(listener);
    return topic;
  }

  leave(topic: ProfileTopic, listener: TopicListener): void {
    topic.listeners.delete(listener);
    if (topic.listeners.size > 0) return;
    this.topics.delete(topic.key);
    if (isAddressTarget(topic.requested)) removeFrom(this.byIp, topic.requested.ip, topic);
  }

  private onChange(changes: ChangeSet): void {
    const affected = new Set<ProfileTopic>();
    // Endpoint churn touches addresses: only the topics of those addresses are looked at.
    for (const ip of changes.ips) for (const topic of this.byIp.get(ip) ?? []) affected.add(topic);
    const byName = SERVICE_PROFILE_KINDS.some((k) => changes.keys.has(k));
    if (byName) {
      for (const topic of this.topics.values()) if (topic.concerns(changes)) affected.add(topic);
    } else if (changes.keys.has('Server')) {
      // A Server can make a pod's port opaque: only the profiles of pod addresses carry that.
      for (const topics of this.byIp.values()) for (const t of topics) if (t.concerns(changes)) affected.add(t);
    }
    for (const topic of affected) {
      if (topic.refresh(this.store, this.cfg, this.encode)) for (const l of topic.listeners) l.flush();
    }
  }
}
