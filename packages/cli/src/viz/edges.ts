import type { MetricsSource, PodInfo } from '../metrics/source.ts';

// `weft edges`: who talks to whom, and whether the connection is mTLS with the
// identities each side saw. The client's proxy knows the server's identity
// (outbound server_id) and the destination's labels; the server's proxy knows
// the client's identity (inbound client_id). Both are joined here.

export interface Edge {
  readonly src: string;
  readonly srcNamespace: string;
  readonly dst: string;
  readonly dstNamespace: string;
  /** Every series of the edge was tls="true". */
  readonly secured: boolean;
  readonly clientId: string;
  readonly serverId: string;
  /** Why it is not secured (no_tls_reason), when it is not. */
  readonly reason?: string;
}

export interface WorkloadIndex {
  byPod(namespace: string, pod: string): PodInfo | undefined;
  byIdentity(identity: string): { namespace: string; deployment: string } | undefined;
}

const FAMILIES = ['request_total', 'tcp_open_total'];

export async function edges(
  source: MetricsSource,
  index: WorkloadIndex,
  q: { namespace: string | undefined; windowSeconds: number },
): Promise<Edge[]> {
  const [outbound, inbound] = await Promise.all([
    source.active(FAMILIES, { direction: 'outbound' }, q.windowSeconds),
    source.active(FAMILIES, { direction: 'inbound' }, q.windowSeconds),
  ]);
  const found = new Map<string, Edge>();
  const add = (e: Edge) => {
    const key = `${e.srcNamespace}/${e.src}>${e.dstNamespace}/${e.dst}`;
    const had = found.get(key);
    found.set(key, {
      ...e,
      secured: had ? had.secured && e.secured : e.secured,
      clientId: had?.clientId || e.clientId,
      serverId: had?.serverId || e.serverId,
      reason: had?.reason ?? e.reason,
    });
  };
  for (const s of outbound) {
    const l = s.labels;
    // The proxy's own listener side (peer="src") says nothing about where traffic went.
    if (l.peer === 'src' || !l.dst_namespace) continue;
    const dstPod = l.dst_pod ? index.byPod(l.dst_namespace, l.dst_pod) : undefined;
    const dst = l.dst_deployment || dstPod?.deployment || l.dst_service;
    if (!dst || !l.deployment) continue;
    add({
      src: l.deployment,
      srcNamespace: l.namespace ?? '',
      dst,
      dstNamespace: l.dst_namespace,
      secured: l.tls === 'true',
      clientId: '',
      serverId: l.server_id ?? '',
      reason: l.no_tls_reason,
    });
  }
  for (const s of inbound) {
    const l = s.labels;
    // peer="dst" is the hop from the proxy to its own app.
    if (l.peer === 'dst' || !l.deployment) continue;
    const client = l.client_id ? index.byIdentity(l.client_id) : undefined;
    add({
      src: client?.deployment ?? (l.client_id ? l.client_id.split('.')[0] || '' : ''),
      srcNamespace: client?.namespace ?? (l.client_id?.split('.')[1] || ''),
      dst: l.deployment,
      dstNamespace: l.namespace ?? '',
      secured: l.tls === 'true',
      clientId: l.client_id ?? '',
      serverId: '',
      reason: l.no_tls_reason,
    });
  }
  return [...found.values()]
    .filter((e) => e.src !== '' && (!q.namespace || e.srcNamespace === q.namespace || e.dstNamespace === q.namespace))
    .sort((a, b) => `${a.src}>${a.dst}`.localeCompare(`${b.src}>${b.dst}`));
}

/** Looks pods and identities up in what the source knows of the mesh. */
export function workloadIndex(pods: PodInfo[], identities: Map<string, { namespace: string; deployment: string }>) {
  const byPod = new Map(pods.map((p) => [`${p.namespace}/${p.pod}`, p]));
  return {
    byPod: (namespace: string, pod: string) => byPod.get(`${namespace}/${pod}`),
    byIdentity: (identity: string) => identities.get(identity),
  };
}
