import type { EnvReader } from '../app/env.ts';

// Inbound policy comes from the policy API when the proxy knows which
// workload it serves: WEFT_PROXY_POLICY_WORKLOAD, `{"ns":"…","pod":"…"}`,
// on WEFT_PROXY_POLICY_ADDR (default: the destination address). Without it
// every request is allowed, as before policy.

export interface PolicySettings {
  readonly workload: string | undefined;
  readonly addr: string | undefined;
}

export function readPolicySettings(env: EnvReader): PolicySettings {
  return {
    workload: env('WEFT_PROXY_POLICY_WORKLOAD') || undefined,
    addr: env('WEFT_PROXY_POLICY_ADDR') || env('WEFT_PROXY_DESTINATION_ADDR') || undefined,
  };
}
