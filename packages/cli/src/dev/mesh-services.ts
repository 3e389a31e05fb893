import { fileURLToPath } from 'node:url';
import type { LocalIdentity } from './local-identity.ts';
import { CONTROL_PLANE_SERVICE_ACCOUNT, LOCAL_DOMAIN } from './local-identity.ts';
import type { ProcessSpec } from './process-spec.ts';

// The mesh's own processes for the local runtime: the identity service and
// the control plane, started from their sources with the same variables their
// Kubernetes manifests set, except that they listen on the host: loopback,
// or in pods mode the bridge's gateway.

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export const PACKAGES = `${REPO}packages/`;
/** The resource folder the local control plane reads and watches. */
export const LOCAL_RESOURCES_DIR = `${REPO}deploy/local/resources`;

/** Addresses the runner chose for the mesh's services before starting them. */
export interface MeshServicePorts {
  /** The address they listen on. */
  readonly host: string;
  readonly identityGrpc: number;
  readonly identityAdmin: number;
  readonly controlPlaneGrpc: number;
  readonly controlPlaneAdmin: number;
}

/** Where `weft dev --pods` put the host and the Services. */
export interface PodsAddresses {
  /** The bridge's address: the host as the pods see it. */
  readonly gateway: string;
  /** `ns/name=IP,…` (WEFT_CP_LOCAL_SERVICE_IPS). */
  readonly serviceIPs: string;
}

/** What every process may inherit from the user's shell. */
export function baseEnv(
  env: Readonly<Record<string, string | undefined>>,
  compileCache: string,
): Record<string, string> {
  const picked: Record<string, string> = { NODE_COMPILE_CACHE: compileCache };
  for (const name of ['PATH', 'HOME']) {
    const value = env[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

export function identitySpec(
  ports: MeshServicePorts,
  identity: LocalIdentity,
  base: Record<string, string>,
): ProcessSpec {
  return {
    name: 'identity',
    command: process.execPath,
    args: [`${PACKAGES}identity/src/main.ts`],
    env: {
      ...base,
      WEFT_IDENTITY_LISTEN_ADDR: `${ports.host}:${ports.identityGrpc}`,
      WEFT_IDENTITY_ADMIN_ADDR: `${ports.host}:${ports.identityAdmin}`,
      WEFT_IDENTITY_ISSUER_DIR: identity.issuerDir,
      WEFT_IDENTITY_TRUST_DOMAIN: LOCAL_DOMAIN.trustDomain,
      WEFT_IDENTITY_CONTROL_PLANE_NAMESPACE: LOCAL_DOMAIN.controlPlaneNamespace,
      WEFT_IDENTITY_TOKEN_MODE: 'local',
      WEFT_IDENTITY_LOCAL_TOKEN_KEY_FILE: identity.tokenKeyFile,
    },
    ready: { kind: 'http', url: `http://${ports.host}:${ports.identityAdmin}/ready` },
  };
}

/**
 * The control plane, a workload of the mesh like any other: it certifies
 * itself with the identity service (a token the runner mints, as for the
 * sidecars) and serves mTLS only.
 */
export async function controlPlaneSpec(
  ports: MeshServicePorts,
  resourcesDir: string,
  identity: LocalIdentity,
  base: Record<string, string>,
  /** In pods mode: the gateway the control plane may listen on, and the Services' virtual IPs. */
  pods?: PodsAddresses,
): Promise<ProcessSpec> {
  const token = await identity.tokenFor(CONTROL_PLANE_SERVICE_ACCOUNT, LOCAL_DOMAIN.controlPlaneNamespace);
  return {
    name: 'control-plane',
    command: process.execPath,
    // The flag its container command passes too (docs/control-plane.md).
    args: ['--max-semi-space-size=8', `${PACKAGES}control-plane/src/main.ts`],
    env: {
      ...base,
      WEFT_CP_BACKEND: 'local',
      WEFT_CP_RESOURCE_DIR: resourcesDir,
      WEFT_CP_LISTEN_ADDR: `${ports.host}:${ports.controlPlaneGrpc}`,
      WEFT_CP_ADMIN_ADDR: `${ports.host}:${ports.controlPlaneAdmin}`,
      WEFT_CP_NAMESPACE: LOCAL_DOMAIN.controlPlaneNamespace,
      WEFT_CP_TRUST_DOMAIN: LOCAL_DOMAIN.trustDomain,
      WEFT_CP_IDENTITY_LOCAL_NAME: token.identity,
      WEFT_CP_IDENTITY_TRUST_ANCHORS: identity.trustAnchorsPem,
      WEFT_CP_IDENTITY_SVC_ADDR: `${ports.host}:${ports.identityGrpc}`,
      WEFT_CP_IDENTITY_TOKEN_FILE: token.file,
      ...(pods ? { WEFT_CP_LOCAL_POD_GATEWAY: pods.gateway, WEFT_CP_LOCAL_SERVICE_IPS: pods.serviceIPs } : {}),
    },
    // /ready answers 200 once every resource kind has been loaded once and the certificate arrived.
    ready: { kind: 'http', url: `http://${ports.host}:${ports.controlPlaneAdmin}/ready` },
  };
}
