import { ERROR_CODES, identityError } from '../errors.ts';

// Identity names: `<sa>.<ns>.serviceaccount.identity.<control-plane-ns>.<trust-domain>`,
// the DNS SAN of every workload certificate and the TLS server name between proxies.

export const DEFAULT_TRUST_DOMAIN = 'cluster.local';
export const DEFAULT_CONTROL_PLANE_NAMESPACE = 'weft-system';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function isDnsLabel(value: string): boolean {
  return DNS_LABEL.test(value);
}

/** A DNS name of lower-case RFC 1123 labels, at most 253 characters. */
export function isDnsName(value: string): boolean {
  return value.length > 0 && value.length <= 253 && value.split('.').every(isDnsLabel);
}

/** Where identity names live: everything after `.serviceaccount.identity.` is fixed per mesh. */
export interface IdentityDomain {
  readonly trustDomain: string;
  readonly controlPlaneNamespace: string;
}

export function identitySuffix(domain: IdentityDomain): string {
  return `serviceaccount.identity.${domain.controlPlaneNamespace}.${domain.trustDomain}`;
}

export function identityName(serviceAccount: string, namespace: string, domain: IdentityDomain): string {
  if (!isDnsLabel(serviceAccount) || !isDnsLabel(namespace)) {
    throw identityError(ERROR_CODES.INVALID_IDENTITY, 'service account and namespace must be DNS-1123 labels', {
      serviceAccount,
      namespace,
    });
  }
  return `${serviceAccount}.${namespace}.${identitySuffix(domain)}`;
}

/** The ServiceAccount an identity name belongs to, or undefined if it is not one of this mesh's names. */
export function parseIdentityName(
  name: string,
  domain: IdentityDomain,
): { serviceAccount: string; namespace: string } | undefined {
  const suffix = `.${identitySuffix(domain)}`;
  if (!isDnsName(name) || !name.endsWith(suffix)) return undefined;
  const parts = name.slice(0, -suffix.length).split('.');
  if (parts.length !== 2) return undefined;
  const [serviceAccount = '', namespace = ''] = parts;
  return { serviceAccount, namespace };
}

/** The CN the CLI gives the issuer, following Linkerd's `identity.<ns>.<trust-domain>`. */
export const issuerCommonName = (domain: IdentityDomain): string =>
  `identity.${domain.controlPlaneNamespace}.${domain.trustDomain}`;

export const trustAnchorCommonName = (domain: IdentityDomain): string => `root.${domain.trustDomain}`;
