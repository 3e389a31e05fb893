import { getOrCreate } from '../map-util.ts';
import { keyOf, RESOURCE_KINDS, type Resource, type ResourceKind } from '../resources/types.ts';
import { type AddressKind, IpIndex } from './ip-index.ts';

// Distributes over the union so that a kind shared by one type (Route: HTTPRoute | GRPCRoute) still resolves.
type Of<K extends ResourceKind> = Resource extends infer R
  ? R extends Resource
    ? K extends R['kind']
      ? R
      : never
    : never
  : never;

/** One resource put (or, with `resource` undefined, deleted) under kind + `ns/name`. */
export interface Change {
  kind: ResourceKind;
  key: string;
  resource?: Resource;
}

/** What one committed batch touched; watchers re-evaluate only what concerns them. */
export interface ChangeSet {
  readonly keys: ReadonlyMap<ResourceKind, ReadonlySet<string>>;
  /** `ns/name` of Services whose own object or EndpointSlices changed. */
  readonly services: ReadonlySet<string>;
  /** Addresses a changed Service, Pod or EndpointSlice held before or after: what `IP:port` lookups re-read. */
  readonly ips: ReadonlySet<string>;
}

/**
 * The indexed resource set. Batches apply synchronously, so in a single-threaded
 * process no reader ever sees half of a batch (e.g. half of a relist).
 */
export class ResourceState {
  private readonly byKind = new Map<ResourceKind, Map<string, Resource>>(RESOURCE_KINDS.map((k) => [k, new Map()]));
  /** `ns/service` → slice keys, so endpoint lookups do not scan every slice. */
  private readonly slicesByService = new Map<string, Set<string>>();
  private readonly ipIndex = new IpIndex();

  get<K extends ResourceKind>(kind: K, namespace: string, name: string): Of<K> | undefined {
    return this.byKind.get(kind)?.get(`${namespace}/${name}`) as Of<K> | undefined;
  }

  list<K extends ResourceKind>(kind: K, namespace?: string): Of<K>[] {
    const all = [...(this.byKind.get(kind)?.values() ?? [])] as Of<K>[];
    return namespace === undefined ? all : all.filter((r) => r.meta.namespace === namespace);
  }

  count(kind: ResourceKind): number {
    return this.byKind.get(kind)?.size ?? 0;
  }

  slicesOf(namespace: string, service: string): Of<'EndpointSlice'>[] {
    const keys = this.slicesByService.get(`${namespace}/${service}`);
    if (!keys) return [];
    const slices = this.byKind.get('EndpointSlice') as Map<string, Resource>;
    return [...keys].map((k) => slices.get(k) as Of<'EndpointSlice'>);
  }

  /** The resources of `kind` that hold `ip` (canonical, see canonicalIp), in key order. */
  at<K extends AddressKind>(kind: K, ip: string): Of<K>[] {
    const map = this.byKind.get(kind) as Map<string, Resource>;
    return [...this.ipIndex.keysAt(kind, ip)].sort().map((k) => map.get(k) as Of<K>);
  }

  apply(batch: readonly Change[]): ChangeSet {
    const keys = new Map<ResourceKind, Set<string>>();
    const services = new Set<string>();
    const ips = new Set<string>();
    for (const change of batch) {
      const map = this.byKind.get(change.kind) as Map<string, Resource>;
      const previous = map.get(change.key);
      if (change.kind === 'EndpointSlice') this.indexSlice(change.key, previous, change.resource, services);
      if (change.kind === 'Service') services.add(change.key);
      this.ipIndex.update(change.key, previous, change.resource, ips);
      if (change.resource) map.set(change.key, change.resource);
      else if (!map.delete(change.key)) continue;
      getOrCreate(keys, change.kind, () => new Set()).add(change.key);
    }
    return { keys, services, ips };
  }

  private indexSlice(key: string, before: Resource | undefined, after: Resource | undefined, services: Set<string>) {
    for (const [r, add] of [
      [before, false],
      [after, true],
    ] as const) {
      if (r?.kind !== 'EndpointSlice') continue;
      const svc = `${r.meta.namespace}/${r.service}`;
      services.add(svc);
      if (add) {
        getOrCreate(this.slicesByService, svc, () => new Set()).add(key);
      } else {
        const set = this.slicesByService.get(svc);
        set?.delete(key);
        if (set?.size === 0) this.slicesByService.delete(svc);
      }
    }
  }

  /**
   * The changes that turn `kind`'s current content into exactly `desired`:
   * what a relist or a file reload applies. Keys in `keep` stay as they are
   * (their new version was invalid).
   */
  diff(kind: ResourceKind, desired: ReadonlyMap<string, Resource>, keep?: ReadonlySet<string>): Change[] {
    const current = this.byKind.get(kind) as Map<string, Resource>;
    const changes: Change[] = [];
    for (const [key, resource] of desired) {
      const old = current.get(key);
      if (!old || !sameResource(old, resource)) changes.push({ kind, key, resource });
    }
    for (const key of current.keys()) {
      if (!desired.has(key) && !keep?.has(key)) changes.push({ kind, key });
    }
    return changes;
  }
}

export const sameResource = (a: Resource, b: Resource) => JSON.stringify(a) === JSON.stringify(b);

export const changeFor = (resource: Resource): Change => ({ kind: resource.kind, key: keyOf(resource.meta), resource });
