import type { Update } from '@weft/api/gen/weft/destination/Update.ts';
import { getOrCreate, removeFrom } from '../map-util.ts';
import type { ChangeSet } from '../store/state.ts';
import type { ResourceStore } from '../store/store.ts';
import { resolveAddressEndpoints } from './address.ts';
import { type AddressTarget, isAddressTarget, type ServiceTarget, targetKey } from './authority.ts';
import { EndpointTopic, type TopicListener } from './endpoint-topic.ts';
import { type DestinationConfig, type ResolvedEndpoints, resolveEndpoints } from './endpoints.ts';

/**
 * Routes store changes to the topics they affect. One store subscription for
 * all Get streams: a change costs work in proportion to the topics it touches,
 * not to the number of open streams. A topic is filed under the Service and
 * pods it resolved to (which, for an `IP:port`, can change with every
 * refresh) and, for an address, under its IP.
 */
export class EndpointIndex {
  private readonly store: ResourceStore;
  private readonly cfg: DestinationConfig;
  private readonly encode: (u: Update) => Buffer;
  private readonly topics = new Map<string, EndpointTopic>();
  private readonly byService = new Map<string, Set<EndpointTopic>>();
  private readonly byPod = new Map<string, Set<EndpointTopic>>();
  private readonly byIp = new Map<string, Set<EndpointTopic>>();

  constructor(store: ResourceStore, cfg: DestinationConfig, encode: (u: Update) => Buffer) {
    this.store = store;
    this.cfg = cfg;
    this.encode = encode;
    store.subscribe((changes) => this.onChange(changes));
  }

  join(target: ServiceTarget | AddressTarget, listener: TopicListener): EndpointTopic {
    const key = targetKey(target);
    let topic = this.topics.get(key);
    if (!topic) {
      const cfg = this.cfg;
      topic = isAddressTarget(target)
        ? new EndpointTopic(
            key,
            target.ip,
            (s) => resolveAddressEndpoints(s, cfg, target),
            this.store.state,
            this.encode,
          )
        : new EndpointTopic(key, undefined, (s) => resolveEndpoints(s, cfg, target), this.store.state, this.encode);
      this.topics.set(key, topic);
      if (topic.ip !== undefined) getOrCreate(this.byIp, topic.ip, () => new Set()).add(topic);
      this.reindex(topic, undefined, topic.current);
    }
    topic.listeners.add(listener);
    return topic;
  }

  leave(topic: EndpointTopic, listener: TopicListener): void {
    topic.listeners.delete(listener);
    if (topic.listeners.size > 0) return;
    this.topics.delete(topic.key);
    if (topic.ip !== undefined) removeFrom(this.byIp, topic.ip, topic);
    this.reindex(topic, topic.current, undefined);
  }

  private onChange(changes: ChangeSet): void {
    const affected = new Set<EndpointTopic>();
    const add = (topics: Set<EndpointTopic> | undefined) => {
      for (const t of topics ?? []) affected.add(t);
    };
    for (const svc of changes.services) add(this.byService.get(svc));
    for (const pod of changes.keys.get('Pod') ?? []) add(this.byPod.get(pod));
    for (const ip of changes.ips) add(this.byIp.get(ip));
    // A Server marking a port opaque changes the protocol hint of the pods it selects.
    const serverNamespaces = new Set([...(changes.keys.get('Server') ?? [])].map((k) => k.split('/')[0]));
    if (serverNamespaces.size > 0) {
      for (const [pod, topics] of this.byPod) if (serverNamespaces.has(pod.split('/')[0])) add(topics);
    }
    for (const topic of affected) {
      const { pods, services } = topic.current;
      const changed = topic.refresh(this.store.state);
      this.reindex(topic, { pods, services }, topic.current);
      if (changed) for (const l of topic.listeners) l.flush();
    }
  }

  private reindex(topic: EndpointTopic, before: Watched | undefined, after: Watched | undefined): void {
    moveBetween(this.byPod, topic, before?.pods, after?.pods);
    moveBetween(this.byService, topic, before?.services, after?.services);
  }
}

type Watched = Pick<ResolvedEndpoints, 'pods' | 'services'>;

/** Files `topic` under the keys of `after` instead of those of `before`. */
function moveBetween<V>(map: Map<string, Set<V>>, topic: V, before?: Set<string>, after?: Set<string>): void {
  if (before === after) return;
  for (const key of before ?? []) if (!after?.has(key)) removeFrom(map, key, topic);
  for (const key of after ?? []) if (!before?.has(key)) getOrCreate(map, key, () => new Set()).add(topic);
}
