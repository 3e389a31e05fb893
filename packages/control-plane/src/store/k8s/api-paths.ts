import type { ResourceKind } from '../../resources/types.ts';

/** Where each kind lives in the Kubernetes API; lists are cluster-wide. */
export interface KindPath {
  kind: ResourceKind;
  apiVersion: string;
  path: string;
}

const core = (kind: ResourceKind, plural: string): KindPath => ({ kind, apiVersion: 'v1', path: `/api/v1/${plural}` });
const group = (kind: ResourceKind, apiVersion: string, plural: string): KindPath => ({
  kind,
  apiVersion,
  path: `/apis/${apiVersion}/${plural}`,
});

export const KIND_PATHS: readonly KindPath[] = [
  core('Service', 'services'),
  core('Pod', 'pods'),
  group('EndpointSlice', 'discovery.k8s.io/v1', 'endpointslices'),
  group('ServiceProfile', 'weft.dev/v1alpha2', 'serviceprofiles'),
  group('Server', 'policy.weft.dev/v1beta3', 'servers'),
  group('AuthorizationPolicy', 'policy.weft.dev/v1alpha1', 'authorizationpolicies'),
  group('HTTPLocalRateLimitPolicy', 'policy.weft.dev/v1alpha1', 'httplocalratelimitpolicies'),
  group('MeshTLSAuthentication', 'policy.weft.dev/v1alpha1', 'meshtlsauthentications'),
  group('NetworkAuthentication', 'policy.weft.dev/v1alpha1', 'networkauthentications'),
  group('HTTPRoute', 'gateway.networking.k8s.io/v1', 'httproutes'),
  group('GRPCRoute', 'gateway.networking.k8s.io/v1', 'grpcroutes'),
];
