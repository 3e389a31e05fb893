import { stringify } from 'yaml';
import { CliError, CliErrorCode } from '../errors.ts';

// ServiceProfile weft.dev/v1alpha2: Linkerd's linkerd.io/v1alpha2 shape, the
// fields `weft profile` writes. deploy/crds/serviceprofiles.yaml is the schema.

export interface RequestMatch {
  readonly method?: string;
  readonly pathRegex?: string;
}

export interface ResponseClass {
  readonly condition: { readonly status: { readonly min: number; readonly max: number } };
  readonly isFailure?: true;
}

export interface RouteSpec {
  readonly name: string;
  readonly condition: RequestMatch;
  readonly responseClasses?: readonly ResponseClass[];
  readonly isRetryable?: true;
  readonly timeout?: string;
}

export interface ServiceProfile {
  readonly apiVersion: 'weft.dev/v1alpha2';
  readonly kind: 'ServiceProfile';
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: { readonly routes: readonly RouteSpec[] };
}

// DNS-1035 label, the rule for Service names: the profile's name is only
// matched to traffic when it is the Service's exact FQDN.
const SERVICE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function profileName(service: string, namespace: string, clusterDomain: string): string {
  if (!SERVICE_NAME.test(service) || service.length > 63) {
    throw new CliError(CliErrorCode.Usage, `"${service}" is not a Service name (lower-case letters, digits and "-")`);
  }
  if (!NAMESPACE.test(namespace) || namespace.length > 63) {
    throw new CliError(CliErrorCode.Usage, `"${namespace}" is not a namespace name`);
  }
  return `${service}.${namespace}.svc.${clusterDomain}`;
}

export function serviceProfile(
  service: string,
  namespace: string,
  clusterDomain: string,
  routes: readonly RouteSpec[],
): ServiceProfile {
  return {
    apiVersion: 'weft.dev/v1alpha2',
    kind: 'ServiceProfile',
    metadata: { name: profileName(service, namespace, clusterDomain), namespace },
    spec: { routes },
  };
}

export const profileYaml = (profile: ServiceProfile): string => stringify(profile, { lineWidth: 0 });

/** Escapes regex metacharacters as Go's regexp.QuoteMeta does, so paths match literally. */
export const quoteMeta = (s: string): string => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');

/** Durations as the proxy parses them: 500ms, 1s, 1m30s. */
export const DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
