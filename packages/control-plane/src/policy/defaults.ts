import type { Authz } from '@weft/api/gen/weft/policy/Authz.ts';

/** The policies a port gets when no Server selects it (Linkerd's names). */
export const DEFAULT_POLICY_NAMES = [
  'all-unauthenticated',
  'all-authenticated',
  'cluster-unauthenticated',
  'cluster-authenticated',
  'deny',
  'audit',
] as const;

export type DefaultPolicyName = (typeof DEFAULT_POLICY_NAMES)[number];

export const isDefaultPolicyName = (s: string | undefined): s is DefaultPolicyName =>
  (DEFAULT_POLICY_NAMES as readonly string[]).includes(s ?? '');

export const ALL_NETWORKS: { net: string; except: string[] }[] = [
  { net: '0.0.0.0/0', except: [] },
  { net: '::/0', except: [] },
];

/** The empty suffix: any client that proves a mesh identity. */
export const ANY_IDENTITY = { meshTls: { identities: { identities: [], suffixes: [''] } } };

/** The authorizations of a default policy; `deny` has none, so every connection is refused. */
export function defaultAuthorizations(name: DefaultPolicyName, clusterNetworks: readonly string[]): Authz[] {
  const labels = { group: '', kind: 'default', name };
  const cluster = clusterNetworks.map((net) => ({ net, except: [] }));
  switch (name) {
    case 'all-unauthenticated':
      return [{ networks: ALL_NETWORKS, authentication: { unauthenticated: {} }, labels }];
    case 'all-authenticated':
      return [{ networks: ALL_NETWORKS, authentication: ANY_IDENTITY, labels }];
    case 'cluster-unauthenticated':
      return [{ networks: cluster, authentication: { unauthenticated: {} }, labels }];
    case 'cluster-authenticated':
      return [{ networks: cluster, authentication: ANY_IDENTITY, labels }];
    case 'audit':
      return [{ networks: ALL_NETWORKS, authentication: { unauthenticated: {} }, labels, audit: true }];
    case 'deny':
      return [];
  }
}
