import type { Update } from '@weft/api/gen/weft/destination/Update.ts';
import { getOrCreate } from '../map-util.ts';
import type { ChangeSet } from '../store/state.ts';
import type { ResourceStore } from '../store/store.ts';
import type { ServiceTarget } from './authority.ts';
import { EndpointTopic, type TopicListener } from './endpoint-topic.ts';
import type { DestinationConfig } from './endpoints.ts';

/**
 * Routes store changes to the topics they affect. One store subscription for
 * all Get streams: a change costs work in proportion to the topics it touches,
 * not to the number of open streams.
 */
export class EndpointIndex {
  private readonly store: ResourceStore;
  private readonly cfg: DestinationConfig;
  private readonly encode: (u: Update) => Buffer;
  private readonly topics = new Map<string, EndpointTopic>();
  private readonly byService = new Map<string, Set<EndpointTopic>>();
  private readonly byPod = new Map<string, Set<EndpointTopic>>();

  constructor(store: ResourceStore, cfg: DestinationConfig, encode: (u: Update) => Buffer) {
    this.store = store;
    this.cfg = cfg;
    this.encode = encode;
    store.subscribe((changes) => this.onChange(changes));
  }

  join(target: ServiceTarget, listener: TopicListener): EndpointTopic {
    const key = `${target.namespace}/${target.service}:${target.port}`;
    let topic = this.topics.get(key);
    if (!topic) {
      topic = new EndpointTopic(target, this.store.state, this.cfg, this.encode);
      this.topics.set(key, topic);
      getOrCreate(this.byService, serviceKey(target), () => new Set()).add(topic);
      this.indexPods(topic, new Set(), topic.current.pods);
    }
    topic.listeners.add(listener);
    return topic;
  }

  leave(topic: EndpointTopic, listener: TopicListener): void {
    topic.listeners.delete(listener);
    if (topic.listeners.size > 0) return;
    const t = topic.target;
    this.topics.delete(`${t.namespace}/${t.service}:${t.port}`);
    removeFrom(this.byService, serviceKey(t), topic);
    this.indexPods(topic, topic.current.pods, new Set());
  }

  private onChange(changes: ChangeSet): void {
    const affected = new Set<EndpointTopic>();
    for (const svc of changes.services) for (const t of this.byService.get(svc) ?? []) affected.add(t);
    for (const pod of changes.keys.get('Pod') ?? []) for (const t of this.byPod.get(pod) ?? []) affected.add(t);
    // A Server marking a port opaque changes the protocol hint of the pods it selects.
    const serverNamespaces = new Set([...(changes.keys.get('Server') ?? [])].map((k) => k.split('/')[0]));
    if (serverNamespaces.size > 0) {
      for (const t of this.topics.values()) if (serverNamespaces.has(t.target.namespace)) affected.add(t);
    }
    for (const topic of affected) {
      const pods = topic.current.pods;
      const changed = topic.refresh(this.store.state, this.cfg);
      this.indexPods(topic, pods, topic.current.pods);
      if (changed) for (const l of topic.listeners) l.flush();
    }
  }

  private indexPods(topic: EndpointTopic, before: Set<string>, after: Set<string>): void {
    if (before === after) return;
    for (const pod of before) if (!after.has(pod)) removeFrom(this.byPod, pod, topic);
    for (const pod of after) if (!before.has(pod)) getOrCreate(this.byPod, pod, () => new Set()).add(topic);
  }
}

const serviceKey = (t: ServiceTarget) => `${t.namespace}/${t.service}`;

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  set?.delete(value);
  if (set?.size === 0) map.delete(key);
}
