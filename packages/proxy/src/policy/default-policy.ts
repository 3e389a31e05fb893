import type { PolicyAuthz, PolicyNetwork, ServerPolicy } from './server-policy.ts';

// The policy in force before the policy API has answered (and while it is
// unreachable at start-up): WEFT_PROXY_INBOUND_DEFAULT_POLICY, as the
// injector sets it from the cluster's or the pod's default. Unknown names
// fall back to all-unauthenticated, the mesh's default.

const ALL: PolicyNetwork[] = [
  { net: '0.0.0.0/0', except: [] },
  { net: '::/0', except: [] },
];

export function defaultPolicy(name: string, clusterNetworks: string): ServerPolicy {
  const cluster = clusterNetworks
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '')
    .map((net) => ({ net, except: [] }));
  const authz = (networks: PolicyNetwork[], authenticated: boolean): PolicyAuthz => ({
    networks,
    authn: authenticated ? { kind: 'meshTls', any: true, identities: [], suffixes: [] } : { kind: 'unauthenticated' },
    labels: { kind: 'default', name },
    audit: name === 'audit',
  });
  let authorizations: PolicyAuthz[];
  switch (name) {
    case 'deny':
      authorizations = [];
      break;
    case 'all-authenticated':
      authorizations = [authz(ALL, true)];
      break;
    case 'cluster-unauthenticated':
      authorizations = [authz(cluster.length > 0 ? cluster : ALL, false)];
      break;
    case 'cluster-authenticated':
      authorizations = [authz(cluster.length > 0 ? cluster : ALL, true)];
      break;
    default:
      authorizations = [authz(ALL, false)];
  }
  return { protocol: 'detect', routes: [], rateLimit: undefined, authorizations, labels: { kind: 'default', name } };
}
