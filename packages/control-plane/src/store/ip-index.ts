import { getOrCreate, removeFrom } from '../map-util.ts';
import { canonicalIp } from '../resources/ip-address.ts';
import type { Resource } from '../resources/types.ts';

/** The kinds an address can belong to: a Service (cluster IP), a Pod (pod IP), an EndpointSlice (endpoint address). */
export type AddressKind = 'Service' | 'Pod' | 'EndpointSlice';

/** The addresses a resource holds, canonical; none for kinds that hold none. */
export function addressesOf(resource: Resource | undefined): string[] {
  if (resource?.kind === 'Service') return resource.clusterIPs;
  if (resource?.kind === 'Pod') return resource.ip ? canonical([resource.ip]) : [];
  if (resource?.kind === 'EndpointSlice') return canonical(resource.endpoints.flatMap((e) => e.addresses));
  return [];
}

// Only IPv6 has more than one spelling; dotted quads are taken as they are (the hot case, kept cheap).
const canonical = (texts: string[]) => texts.map((t) => (t.includes(':') ? (canonicalIp(t) ?? t) : t));

/**
 * IP → `ns/name` keys of the Services, Pods and EndpointSlices that hold it:
 * the index an `IP:port` lookup reads instead of scanning every object.
 */
export class IpIndex {
  private readonly byKind = new Map<AddressKind, Map<string, Set<string>>>([
    ['Service', new Map()],
    ['Pod', new Map()],
    ['EndpointSlice', new Map()],
  ]);

  keysAt(kind: AddressKind, ip: string): ReadonlySet<string> {
    return this.byKind.get(kind)?.get(ip) ?? EMPTY;
  }

  /** Moves `key` from the addresses of `before` to those of `after`; every address either held is added to `touched`. */
  update(key: string, before: Resource | undefined, after: Resource | undefined, touched: Set<string>): void {
    const kind = (before ?? after)?.kind;
    const map = kind && this.byKind.get(kind as AddressKind);
    if (!map) return;
    const old = addressesOf(before);
    const next = addressesOf(after);
    for (const ip of old) {
      touched.add(ip);
      if (!next.includes(ip)) removeFrom(map, ip, key);
    }
    for (const ip of next) {
      touched.add(ip);
      getOrCreate(map, ip, () => new Set()).add(key);
    }
  }
}

const EMPTY: ReadonlySet<string> = new Set();
