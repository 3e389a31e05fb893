import type { ProfileListener } from '../profile/profile.ts';
import type { PeerTls } from '../tls/connect.ts';

// Discovery as a stream of diffs, in linkerd's vocabulary. `reset` replaces
// the whole set (the first answer after every (re)connection).

export interface EndpointMeta {
  /** `ip:port`, the endpoint's key. */
  readonly key: string;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  /** Metric labels for this endpoint, already prefixed `dst_`. */
  readonly labels: Readonly<Record<string, string>>;
  /** Set when the endpoint is meshed: connect with mTLS and verify this identity. */
  readonly tls: PeerTls | undefined;
  readonly opaque: boolean;
}

export type Update =
  | { readonly kind: 'reset'; readonly endpoints: readonly EndpointMeta[] }
  | { readonly kind: 'add'; readonly endpoints: readonly EndpointMeta[] }
  | { readonly kind: 'remove'; readonly keys: readonly string[] }
  | { readonly kind: 'doesNotExist' };

export type UpdateListener = (update: Update) => void;

/** Something that resolves an authority to a stream of endpoint updates. */
export interface Resolver {
  resolve(authority: string, listener: UpdateListener): () => void;
  /** The authority's profile stream (GetProfile); resolvers without one serve every request on the default route. */
  profile?(authority: string, listener: ProfileListener): () => void;
}

export function endpointKey(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
