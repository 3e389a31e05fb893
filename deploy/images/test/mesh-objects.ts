import { createLocalTokenKey, createMeshCa, type IdentityDomain, identityName, mintLocalToken } from '@weft/identity';
import type { PodPatch } from './manifest-pods.ts';
import type { ClusterObjects } from './pod-env.ts';

// The mesh's Secrets and ConfigMaps as an install would create them (a trust
// anchor and an issuer), and ServiceAccount tokens. With no API server to
// review a token, identity runs in its local token mode: the tokens are
// signed with a key identity holds, for the ServiceAccount's identity only,
// where a cluster would have identity ask TokenReview.

export const DOMAIN: IdentityDomain = { trustDomain: 'cluster.local', controlPlaneNamespace: 'weft-system' };

const TOKEN_KEY_SECRET = 'weft-identity-local-token-key';
const TOKEN_KEY_DIR = '/var/run/weft/identity/local-token';

export interface MeshObjects {
  readonly objects: ClusterObjects;
  readonly trustAnchorsPem: string;
}

export function meshObjects(): MeshObjects {
  const ca = createMeshCa({ domain: DOMAIN });
  const key = createLocalTokenKey();
  const ns = DOMAIN.controlPlaneNamespace;
  const configMaps: Record<string, Record<string, string>> = {
    [`${ns}/weft-identity-trust-roots`]: { 'ca-bundle.crt': ca.trustAnchorsPem },
  };
  const secrets: Record<string, Record<string, string>> = {
    // A kubernetes.io/tls Secret, as deploy/scripts/identity-certs.sh makes it.
    [`${ns}/weft-identity-issuer`]: {
      'tls.crt': ca.issuerCertificate.certPem,
      'tls.key': ca.issuerCertificate.keyPem,
      'ca.crt': ca.trustAnchorsPem,
    },
    [`${ns}/${TOKEN_KEY_SECRET}`]: { 'token.key': key.toString('hex') },
  };
  const lookup = (from: Record<string, Record<string, string>>, what: string, namespace: string, name: string) => {
    const found = from[`${namespace}/${name}`];
    if (!found) throw new Error(`no ${what} ${namespace}/${name}`);
    return found;
  };
  return {
    trustAnchorsPem: ca.trustAnchorsPem,
    objects: {
      configMap: (namespace, name) => lookup(configMaps, 'ConfigMap', namespace, name),
      secret: (namespace, name) => lookup(secrets, 'Secret', namespace, name),
      token: (serviceAccount, namespace) =>
        mintLocalToken({ identity: identityName(serviceAccount, namespace, DOMAIN), key }),
    },
  };
}

/** What identity's pod gets in place of TokenReview: the key local tokens are checked with. */
export const LOCAL_TOKENS: PodPatch = {
  env: {
    WEFT_IDENTITY_TOKEN_MODE: 'local',
    WEFT_IDENTITY_LOCAL_TOKEN_KEY_FILE: `${TOKEN_KEY_DIR}/token.key`,
  },
  volume: { name: 'local-token', secret: { secretName: TOKEN_KEY_SECRET } },
  mountPath: TOKEN_KEY_DIR,
};
