import type { Update } from '@weft/api/gen/weft/destination/Update.ts';
import type { WeightedAddr } from '@weft/api/gen/weft/destination/WeightedAddr.ts';
import { type EndpointInfo, type ResolvedEndpoints, sameEndpoint } from './endpoints.ts';

/** Linkerd's per-endpoint weight; the proxy balances by load, so all endpoints weigh the same. */
export const ENDPOINT_WEIGHT = 10_000;

export function toWeightedAddr(ep: EndpointInfo): WeightedAddr {
  const addr: WeightedAddr = {
    addr: { ip: ep.ip, port: ep.port },
    weight: ENDPOINT_WEIGHT,
    metricLabels: ep.labels,
  };
  if (ep.identity) addr.tlsIdentity = { name: ep.identity, serverName: ep.identity };
  if (ep.opaque) addr.protocolHint = { opaque: {}, inboundPort: ep.inboundPort ?? 0 };
  else if (ep.identity) addr.protocolHint = { h2: {}, inboundPort: ep.inboundPort ?? 0 };
  return addr;
}

/**
 * The updates that move a client from `sent` to `next`. Changed endpoints are
 * re-added (an add for a known address replaces it). Emptying a set that had
 * endpoints sends the removal and then no_endpoints, so clients that only
 * understand one of the two still end up empty.
 */
export function diffUpdates(sent: ResolvedEndpoints | undefined, next: ResolvedEndpoints): Update[] {
  // An address that changed hands (a cluster IP given to another Service) re-adds every endpoint under its new labels.
  const relabeled = sent !== undefined && !sameLabels(sent.labels, next.labels);
  const added: WeightedAddr[] = [];
  for (const [key, ep] of next.endpoints) {
    const old = sent?.endpoints.get(key);
    if (relabeled || !old || !sameEndpoint(old, ep)) added.push(toWeightedAddr(ep));
  }
  const removed: { ip: string; port: number }[] = [];
  for (const [key, ep] of sent?.endpoints ?? [])
    if (!next.endpoints.has(key)) removed.push({ ip: ep.ip, port: ep.port });
  const updates: Update[] = [];
  if (removed.length > 0) updates.push({ remove: { addrs: removed } });
  if (added.length > 0) updates.push({ add: { addrs: added, metricLabels: next.labels } });
  const becameEmpty = sent === undefined || sent.endpoints.size > 0 || sent.exists !== next.exists;
  if (next.endpoints.size === 0 && becameEmpty) updates.push({ noEndpoints: { exists: next.exists } });
  return updates;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
