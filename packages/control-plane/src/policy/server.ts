import type { ServerUnaryCall, ServerWritableStream, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { PortSpec__Output } from '@weft/api/gen/weft/policy/PortSpec.ts';
import type { Server } from '@weft/api/gen/weft/policy/Server.ts';
import type { Metrics } from '../admin/metrics.ts';
import { parseContextToken } from '../destination/authority.ts';
import { cpError, ErrorCode } from '../errors.ts';
import { grpcStatusOf } from '../grpc-status.ts';
import type { ResourceStore } from '../store/store.ts';
import { inboundPolicy, type PolicyConfig } from './inbound-policy.ts';

const POLICY_KINDS = [
  'Server',
  'AuthorizationPolicy',
  'HTTPLocalRateLimitPolicy',
  'MeshTLSAuthentication',
  'NetworkAuthentication',
  'HTTPRoute',
  'GRPCRoute',
] as const;

function portSpec(request: PortSpec__Output): { namespace: string; pod: string; port: number } {
  const ctx = parseContextToken(request.workload);
  if (!ctx.pod) throw cpError(ErrorCode.InvalidWorkload, `workload ${JSON.stringify(request.workload)} names no pod`);
  if (!(request.port > 0 && request.port < 65536))
    throw cpError(ErrorCode.InvalidWorkload, `port ${request.port} is not 1-65535`);
  return { namespace: ctx.namespace, pod: ctx.pod, port: request.port };
}

/**
 * weft.policy.InboundServerPolicies. A pod the store does not know yet gets the
 * control plane's default policy, and its own as soon as it appears (a local
 * sidecar may ask before its workload is registered).
 */
export function policyService(store: ResourceStore, cfg: PolicyConfig, metrics: Metrics): UntypedServiceImplementation {
  const active = metrics.gauge('policy_streams', 'Open WatchPort streams');
  let open = 0;
  const current = (spec: ReturnType<typeof portSpec>): Server =>
    inboundPolicy(store.state, cfg, store.state.get('Pod', spec.namespace, spec.pod), spec.port);

  return {
    GetPort(call: ServerUnaryCall<PortSpec__Output, Server>, callback: sendUnaryData<Server>) {
      try {
        callback(null, current(portSpec(call.request)));
      } catch (err) {
        callback(grpcStatusOf(err));
      }
    },
    WatchPort(call: ServerWritableStream<PortSpec__Output, Server>) {
      let spec: ReturnType<typeof portSpec>;
      try {
        spec = portSpec(call.request);
      } catch (err) {
        call.emit('error', grpcStatusOf(err));
        return;
      }
      const podKey = `${spec.namespace}/${spec.pod}`;
      let last = '';
      let blocked = false;
      const flush = () => {
        if (blocked || call.cancelled) return;
        const policy = current(spec);
        const encoded = JSON.stringify(policy);
        if (encoded === last) return;
        last = encoded;
        if (!call.write(policy)) blocked = true;
      };
      const unsubscribe = store.subscribe((changes) => {
        if (changes.keys.get('Pod')?.has(podKey) || POLICY_KINDS.some((k) => changes.keys.has(k))) flush();
      });
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        unsubscribe();
        active({}, --open);
      };
      active({}, ++open);
      call.once('cancelled', end);
      call.once('close', end);
      call.once('error', end);
      call.on('drain', () => {
        blocked = false;
        flush();
      });
      flush();
    },
  };
}
