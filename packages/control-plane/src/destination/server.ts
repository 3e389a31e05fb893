import { type ServerWritableStream, status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { DestinationProfile } from '@weft/api/gen/weft/destination/DestinationProfile.ts';
import type { GetDestination__Output } from '@weft/api/gen/weft/destination/GetDestination.ts';
import type { Update } from '@weft/api/gen/weft/destination/Update.ts';
import type { Metrics } from '../admin/metrics.ts';
import { ErrorCode, isControlPlaneError } from '../errors.ts';
import type { ResourceStore } from '../store/store.ts';
import { parseAuthority, parseContextToken, type ServiceTarget } from './authority.ts';
import { EndpointStream } from './endpoint-stream.ts';
import type { DestinationConfig } from './endpoints.ts';
import { ProfileStream } from './profile-stream.ts';

type Call<T> = ServerWritableStream<GetDestination__Output, T>;

/** Maps our errors to gRPC statuses; anything unexpected is INTERNAL and the stream ends, the server stays up. */
export function grpcStatusOf(err: unknown): { code: status; details: string } {
  if (isControlPlaneError(err)) {
    const code =
      err.code === ErrorCode.ServiceNotFound || err.code === ErrorCode.WorkloadNotFound
        ? status.NOT_FOUND
        : err.code === ErrorCode.InvalidAuthority ||
            err.code === ErrorCode.InvalidWorkload ||
            err.code === ErrorCode.InvalidRegistration
          ? status.INVALID_ARGUMENT
          : status.INTERNAL;
    return { code, details: err.message };
  }
  return { code: status.INTERNAL, details: String((err as Error)?.message ?? err) };
}

/** The weft.destination.Destination service: Get (endpoints) and GetProfile (routing), both streamed. */
export function destinationService(
  store: ResourceStore,
  cfg: DestinationConfig,
  metrics: Metrics,
): UntypedServiceImplementation {
  const active = metrics.gauge('destination_streams', 'Open Get and GetProfile streams');
  const updates = metrics.counter('destination_updates_total', 'Updates sent on Get streams');
  const counts = { Get: 0, GetProfile: 0 };
  const opened = (rpc: 'Get' | 'GetProfile', by: number) => {
    counts[rpc] += by;
    active({ rpc }, counts[rpc]);
  };

  const resolve = <T>(call: Call<T>): ServiceTarget | undefined => {
    try {
      const client = parseContextToken(call.request.contextToken);
      const target = parseAuthority(call.request.path, cfg.clusterDomain, client);
      if (!store.state.get('Service', target.namespace, target.service)) {
        call.emit('error', {
          code: status.NOT_FOUND,
          details: `${ErrorCode.ServiceNotFound}: no Service ${target.namespace}/${target.service}`,
        });
        return undefined;
      }
      return target;
    } catch (err) {
      call.emit('error', grpcStatusOf(err));
      return undefined;
    }
  };

  return {
    Get(call: Call<Update>) {
      const target = resolve(call);
      if (!target) return;
      opened('Get', 1);
      new EndpointStream(call, store, cfg, target, (n) => updates({}, n)).start(() => opened('Get', -1));
    },
    GetProfile(call: Call<DestinationProfile>) {
      const target = resolve(call);
      if (!target) return;
      opened('GetProfile', 1);
      const client = parseContextToken(call.request.contextToken);
      new ProfileStream(call, store, target, client, cfg.clusterDomain).start(() => opened('GetProfile', -1));
    },
  };
}
