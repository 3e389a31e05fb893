import type { Profile } from '../profile/profile.ts';

// What a redirected outbound connection is, from its original destination's
// profile (GetProfile by `IP:port`), as in Linkerd's discovery by original
// destination: a Service's cluster IP, a pod's IP, or an address the mesh
// does not know, whose bytes go where the app sent them.

export type OriginalTarget =
  /** A Service's cluster IP: its logical service by name and port (routes, splits, balancer). */
  | { readonly kind: 'service'; readonly authority: string; readonly opaque: boolean }
  /** A pod's IP: that one endpoint, discovered by its address. */
  | { readonly kind: 'endpoint'; readonly authority: string; readonly opaque: boolean }
  /** Unknown to the mesh: forwarded to the original address as it is. */
  | { readonly kind: 'passthrough' };

export const PASSTHROUGH: OriginalTarget = { kind: 'passthrough' };

/**
 * `key` is the original destination as `endpointKey(ip, port)`, `port` its
 * port; `known` false when the control plane had no answer for it (NOT_FOUND).
 * The profile's opaque flag comes from the Service's or the pod's opaque ports.
 */
export function decide(key: string, port: number, profile: Profile, known: boolean): OriginalTarget {
  if (!known) return PASSTHROUGH;
  if (profile.fqn !== '') {
    const name = profile.fqn.endsWith('.') ? profile.fqn.slice(0, -1) : profile.fqn;
    return { kind: 'service', authority: `${name}:${port}`, opaque: profile.opaque };
  }
  const endpoint = profile.endpoint;
  if (endpoint) return { kind: 'endpoint', authority: key, opaque: profile.opaque || endpoint.opaque };
  return PASSTHROUGH;
}
