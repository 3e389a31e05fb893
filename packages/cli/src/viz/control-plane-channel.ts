import { type ChannelCredentials, type ChannelOptions, credentials } from '@grpc/grpc-js';
import { checkPeerIdentity, DEFAULT_CONTROL_PLANE_NAMESPACE, DEFAULT_TRUST_DOMAIN, identityName } from '@weft/identity';
import { CliError, CliErrorCode } from '../errors.ts';
import { type TapCredentials, tapCredentials } from './tap-client.ts';
import type { MeshInfo } from './workload.ts';

// The CLI reaches the control plane as any client of it must: over mTLS with
// a mesh certificate (the CLI's own, the one tap presents), checking that the
// server is the control plane's identity.

export interface ControlPlaneChannel {
  readonly creds: ChannelCredentials;
  readonly options: ChannelOptions;
}

/** The identity the control plane proves: what `weft dev` recorded, else a default install's. */
export function controlPlaneIdentity(mesh: MeshInfo): string {
  return (
    mesh.controlPlaneIdentity ??
    identityName('weft-destination', DEFAULT_CONTROL_PLANE_NAMESPACE, {
      trustDomain: DEFAULT_TRUST_DOMAIN,
      controlPlaneNamespace: DEFAULT_CONTROL_PLANE_NAMESPACE,
    })
  );
}

/** mTLS as `own` (PEM certificate chain, key, trust anchors) to a server that must prove `expected`. */
export function meshChannel(own: TapCredentials, expected: string): ControlPlaneChannel {
  return {
    creds: credentials.createSsl(Buffer.from(own.ca), Buffer.from(own.key), Buffer.from(own.cert), {
      checkServerIdentity: (_host, certificate) => checkPeerIdentity(certificate, expected),
    }),
    options: { 'grpc.ssl_target_name_override': expected, 'grpc.default_authority': expected },
  };
}

/** As the CLI; throws a CliError naming what is missing when it has no certificate. */
export function controlPlaneChannel(
  env: Readonly<Record<string, string | undefined>>,
  mesh: MeshInfo,
): ControlPlaneChannel {
  let own: TapCredentials;
  try {
    own = tapCredentials(env, mesh);
  } catch (err) {
    throw new CliError(
      CliErrorCode.ControlPlane,
      `the control plane answers mesh clients only, and the CLI's certificate (the one tap uses) is missing: ${(err as Error).message}`,
    );
  }
  return meshChannel(own, controlPlaneIdentity(mesh));
}
