import type { EnvReader } from '../settings/parse.ts';

// Inbound policy comes from the policy API when the proxy knows which
// workload it serves: WEFT_PROXY_POLICY_WORKLOAD, `{"ns":"…","pod":"…"}`,
// on WEFT_PROXY_POLICY_ADDR (or the injector's WEFT_PROXY_POLICY_SVC_ADDR;
// default: the destination address), verifying it is WEFT_PROXY_POLICY_SVC_NAME
// (default: WEFT_PROXY_DESTINATION_SVC_NAME), for port
// WEFT_PROXY_POLICY_PORT (default: the app's port; locally the app listens on
// another port than its container port). Without a workload every request is
// allowed, as before policy.

export interface PolicySettings {
  readonly workload: string | undefined;
  readonly addr: string | undefined;
  /** The identity the policy API must prove; undefined in plaintext. */
  readonly name: string | undefined;
  readonly port: number | undefined;
  /** In force until the policy API answers (WEFT_PROXY_INBOUND_DEFAULT_POLICY). */
  readonly defaultPolicy: string;
  readonly clusterNetworks: string;
}

export function readPolicySettings(env: EnvReader): PolicySettings {
  return {
    workload: env('WEFT_PROXY_POLICY_WORKLOAD') || undefined,
    addr:
      env('WEFT_PROXY_POLICY_ADDR') ||
      env('WEFT_PROXY_POLICY_SVC_ADDR') ||
      env('WEFT_PROXY_DESTINATION_ADDR') ||
      undefined,
    name: env('WEFT_PROXY_POLICY_SVC_NAME') || env('WEFT_PROXY_DESTINATION_SVC_NAME') || undefined,
    // The injector names the pod's ports in WEFT_PROXY_INBOUND_PORTS; the first is the app's.
    defaultPolicy: env('WEFT_PROXY_INBOUND_DEFAULT_POLICY') || 'all-unauthenticated',
    clusterNetworks: env('WEFT_PROXY_POLICY_CLUSTER_NETWORKS') ?? '',
    port:
      Number(env('WEFT_PROXY_POLICY_PORT')) ||
      Number((env('WEFT_PROXY_INBOUND_PORTS') ?? '').split(',')[0]) ||
      undefined,
  };
}
