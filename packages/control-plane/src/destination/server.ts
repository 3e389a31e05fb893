import {
  type ServerWritableStream,
  type ServiceDefinition,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadDestinationApi } from '@weft/api';
import type { DestinationProfile } from '@weft/api/gen/weft/destination/DestinationProfile.ts';
import type { GetDestination__Output } from '@weft/api/gen/weft/destination/GetDestination.ts';
import type { Update } from '@weft/api/gen/weft/destination/Update.ts';
import type { Metrics } from '../admin/metrics.ts';
import { ErrorCode } from '../errors.ts';
import { grpcStatusOf } from '../grpc-status.ts';
import type { ResourceStore } from '../store/store.ts';
import { warnIgnoredAnnotations } from './annotation-warnings.ts';
import {
  type AddressTarget,
  isAddressTarget,
  parseAuthority,
  parseContextToken,
  type ServiceTarget,
} from './authority.ts';
import { EndpointIndex } from './endpoint-index.ts';
import { EndpointStream } from './endpoint-stream.ts';
import type { DestinationConfig } from './endpoints.ts';
import { ProfileIndex } from './profile-index.ts';
import { ProfileStream } from './profile-stream.ts';

type Call<T> = ServerWritableStream<GetDestination__Output, T>;

/**
 * The Destination service definition, with serializers that let pre-encoded
 * messages through: an update or profile shared by many streams is encoded once.
 */
export function destinationDefinition(): {
  definition: ServiceDefinition;
  encodeUpdate: (u: Update) => Buffer;
  encodeProfile: (p: DestinationProfile) => Buffer;
} {
  const base = loadDestinationApi().weft.destination.Destination.service;
  const encodeUpdate = base.Get.responseSerialize as (u: Update) => Buffer;
  const encodeProfile = base.GetProfile.responseSerialize as (p: DestinationProfile) => Buffer;
  const definition = {
    ...base,
    Get: { ...base.Get, responseSerialize: (v: Update | Buffer) => (Buffer.isBuffer(v) ? v : encodeUpdate(v)) },
    GetProfile: {
      ...base.GetProfile,
      responseSerialize: (v: DestinationProfile | Buffer) => (Buffer.isBuffer(v) ? v : encodeProfile(v)),
    },
  } as ServiceDefinition;
  return { definition, encodeUpdate, encodeProfile };
}

/** The weft.destination.Destination service: Get (endpoints) and GetProfile (routing), both streamed. */
export function destinationService(
  store: ResourceStore,
  cfg: DestinationConfig,
  metrics: Metrics,
  encode: { update: (u: Update) => Buffer; profile: (p: DestinationProfile) => Buffer },
): UntypedServiceImplementation {
  const index = new EndpointIndex(store, cfg, encode.update);
  const profiles = new ProfileIndex(store, cfg, encode.profile);
  warnIgnoredAnnotations(store);
  const active = metrics.gauge('destination_streams', 'Open Get and GetProfile streams');
  const updates = metrics.counter('destination_updates_total', 'Updates sent on Get streams');
  const counts = { Get: 0, GetProfile: 0 };
  const opened = (rpc: 'Get' | 'GetProfile', by: number) => {
    counts[rpc] += by;
    active({ rpc }, counts[rpc]);
  };

  const resolve = <T>(call: Call<T>): ServiceTarget | AddressTarget | undefined => {
    try {
      const client = parseContextToken(call.request.contextToken);
      const target = parseAuthority(call.request.path, cfg.clusterDomain, client);
      // An address is never NOT_FOUND: what it names may change, and "nothing" is an answer the stream gives.
      if (isAddressTarget(target)) return target;
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
    Get(call: Call<Update | Buffer>) {
      const target = resolve(call);
      if (!target) return;
      opened('Get', 1);
      new EndpointStream(
        call,
        (stream) => index.join(target, stream),
        (stream, topic) => {
          index.leave(topic, stream);
          opened('Get', -1);
        },
        (n) => updates({}, n),
      );
    },
    GetProfile(call: Call<Buffer>) {
      const target = resolve(call);
      if (!target) return;
      opened('GetProfile', 1);
      const client = parseContextToken(call.request.contextToken);
      new ProfileStream(
        call,
        (stream) => profiles.join(target, client, stream),
        (stream, topic) => {
          profiles.leave(topic, stream);
          opened('GetProfile', -1);
        },
      );
    },
  };
}
