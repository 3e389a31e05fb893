// Original file: proto/destination.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DestinationProfile as _weft_destination_DestinationProfile, DestinationProfile__Output as _weft_destination_DestinationProfile__Output } from '../../weft/destination/DestinationProfile.ts';
import type { GetDestination as _weft_destination_GetDestination, GetDestination__Output as _weft_destination_GetDestination__Output } from '../../weft/destination/GetDestination.ts';
import type { Update as _weft_destination_Update, Update__Output as _weft_destination_Update__Output } from '../../weft/destination/Update.ts';

export interface DestinationClient extends grpc.Client {
  /**
   * Get streams the endpoints of an authority: a snapshot, then diffs.
   * An unknown service ends the stream with NOT_FOUND.
   */
  Get(argument: _weft_destination_GetDestination, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_weft_destination_Update__Output>;
  Get(argument: _weft_destination_GetDestination, options?: grpc.CallOptions): grpc.ClientReadableStream<_weft_destination_Update__Output>;
  /**
   * Get streams the endpoints of an authority: a snapshot, then diffs.
   * An unknown service ends the stream with NOT_FOUND.
   */
  get(argument: _weft_destination_GetDestination, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_weft_destination_Update__Output>;
  get(argument: _weft_destination_GetDestination, options?: grpc.CallOptions): grpc.ClientReadableStream<_weft_destination_Update__Output>;
  
  /**
   * GetProfile streams the authority's routing profile, sent again whole on
   * every change.
   */
  GetProfile(argument: _weft_destination_GetDestination, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_weft_destination_DestinationProfile__Output>;
  GetProfile(argument: _weft_destination_GetDestination, options?: grpc.CallOptions): grpc.ClientReadableStream<_weft_destination_DestinationProfile__Output>;
  /**
   * GetProfile streams the authority's routing profile, sent again whole on
   * every change.
   */
  getProfile(argument: _weft_destination_GetDestination, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_weft_destination_DestinationProfile__Output>;
  getProfile(argument: _weft_destination_GetDestination, options?: grpc.CallOptions): grpc.ClientReadableStream<_weft_destination_DestinationProfile__Output>;
  
}

export interface DestinationHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Get streams the endpoints of an authority: a snapshot, then diffs.
   * An unknown service ends the stream with NOT_FOUND.
   */
  Get: grpc.handleServerStreamingCall<_weft_destination_GetDestination__Output, _weft_destination_Update>;
  
  /**
   * GetProfile streams the authority's routing profile, sent again whole on
   * every change.
   */
  GetProfile: grpc.handleServerStreamingCall<_weft_destination_GetDestination__Output, _weft_destination_DestinationProfile>;
  
}

export interface DestinationDefinition extends grpc.ServiceDefinition {
  Get: MethodDefinition<_weft_destination_GetDestination, _weft_destination_Update, _weft_destination_GetDestination__Output, _weft_destination_Update__Output>
  GetProfile: MethodDefinition<_weft_destination_GetDestination, _weft_destination_DestinationProfile, _weft_destination_GetDestination__Output, _weft_destination_DestinationProfile__Output>
}
