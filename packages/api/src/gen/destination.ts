import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from './google/protobuf/Duration.ts';
import type { AddrSet as _weft_destination_AddrSet, AddrSet__Output as _weft_destination_AddrSet__Output } from './weft/destination/AddrSet.ts';
import type { DestinationClient as _weft_destination_DestinationClient, DestinationDefinition as _weft_destination_DestinationDefinition } from './weft/destination/Destination.ts';
import type { DestinationProfile as _weft_destination_DestinationProfile, DestinationProfile__Output as _weft_destination_DestinationProfile__Output } from './weft/destination/DestinationProfile.ts';
import type { GetDestination as _weft_destination_GetDestination, GetDestination__Output as _weft_destination_GetDestination__Output } from './weft/destination/GetDestination.ts';
import type { HttpStatusRange as _weft_destination_HttpStatusRange, HttpStatusRange__Output as _weft_destination_HttpStatusRange__Output } from './weft/destination/HttpStatusRange.ts';
import type { NoEndpoints as _weft_destination_NoEndpoints, NoEndpoints__Output as _weft_destination_NoEndpoints__Output } from './weft/destination/NoEndpoints.ts';
import type { PathMatch as _weft_destination_PathMatch, PathMatch__Output as _weft_destination_PathMatch__Output } from './weft/destination/PathMatch.ts';
import type { ProtocolHint as _weft_destination_ProtocolHint, ProtocolHint__Output as _weft_destination_ProtocolHint__Output } from './weft/destination/ProtocolHint.ts';
import type { RequestMatch as _weft_destination_RequestMatch, RequestMatch__Output as _weft_destination_RequestMatch__Output } from './weft/destination/RequestMatch.ts';
import type { ResponseClass as _weft_destination_ResponseClass, ResponseClass__Output as _weft_destination_ResponseClass__Output } from './weft/destination/ResponseClass.ts';
import type { ResponseMatch as _weft_destination_ResponseMatch, ResponseMatch__Output as _weft_destination_ResponseMatch__Output } from './weft/destination/ResponseMatch.ts';
import type { RetryBudget as _weft_destination_RetryBudget, RetryBudget__Output as _weft_destination_RetryBudget__Output } from './weft/destination/RetryBudget.ts';
import type { Route as _weft_destination_Route, Route__Output as _weft_destination_Route__Output } from './weft/destination/Route.ts';
import type { TlsIdentity as _weft_destination_TlsIdentity, TlsIdentity__Output as _weft_destination_TlsIdentity__Output } from './weft/destination/TlsIdentity.ts';
import type { Update as _weft_destination_Update, Update__Output as _weft_destination_Update__Output } from './weft/destination/Update.ts';
import type { WeightedAddr as _weft_destination_WeightedAddr, WeightedAddr__Output as _weft_destination_WeightedAddr__Output } from './weft/destination/WeightedAddr.ts';
import type { WeightedAddrSet as _weft_destination_WeightedAddrSet, WeightedAddrSet__Output as _weft_destination_WeightedAddrSet__Output } from './weft/destination/WeightedAddrSet.ts';
import type { WeightedDst as _weft_destination_WeightedDst, WeightedDst__Output as _weft_destination_WeightedDst__Output } from './weft/destination/WeightedDst.ts';
import type { TcpAddress as _weft_net_TcpAddress, TcpAddress__Output as _weft_net_TcpAddress__Output } from './weft/net/TcpAddress.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  google: {
    protobuf: {
      Duration: MessageTypeDefinition<_google_protobuf_Duration, _google_protobuf_Duration__Output>
    }
  }
  weft: {
    destination: {
      AddrSet: MessageTypeDefinition<_weft_destination_AddrSet, _weft_destination_AddrSet__Output>
      Destination: SubtypeConstructor<typeof grpc.Client, _weft_destination_DestinationClient> & { service: _weft_destination_DestinationDefinition }
      DestinationProfile: MessageTypeDefinition<_weft_destination_DestinationProfile, _weft_destination_DestinationProfile__Output>
      GetDestination: MessageTypeDefinition<_weft_destination_GetDestination, _weft_destination_GetDestination__Output>
      HttpStatusRange: MessageTypeDefinition<_weft_destination_HttpStatusRange, _weft_destination_HttpStatusRange__Output>
      NoEndpoints: MessageTypeDefinition<_weft_destination_NoEndpoints, _weft_destination_NoEndpoints__Output>
      PathMatch: MessageTypeDefinition<_weft_destination_PathMatch, _weft_destination_PathMatch__Output>
      ProtocolHint: MessageTypeDefinition<_weft_destination_ProtocolHint, _weft_destination_ProtocolHint__Output>
      RequestMatch: MessageTypeDefinition<_weft_destination_RequestMatch, _weft_destination_RequestMatch__Output>
      ResponseClass: MessageTypeDefinition<_weft_destination_ResponseClass, _weft_destination_ResponseClass__Output>
      ResponseMatch: MessageTypeDefinition<_weft_destination_ResponseMatch, _weft_destination_ResponseMatch__Output>
      RetryBudget: MessageTypeDefinition<_weft_destination_RetryBudget, _weft_destination_RetryBudget__Output>
      Route: MessageTypeDefinition<_weft_destination_Route, _weft_destination_Route__Output>
      TlsIdentity: MessageTypeDefinition<_weft_destination_TlsIdentity, _weft_destination_TlsIdentity__Output>
      Update: MessageTypeDefinition<_weft_destination_Update, _weft_destination_Update__Output>
      WeightedAddr: MessageTypeDefinition<_weft_destination_WeightedAddr, _weft_destination_WeightedAddr__Output>
      WeightedAddrSet: MessageTypeDefinition<_weft_destination_WeightedAddrSet, _weft_destination_WeightedAddrSet__Output>
      WeightedDst: MessageTypeDefinition<_weft_destination_WeightedDst, _weft_destination_WeightedDst__Output>
    }
    net: {
      TcpAddress: MessageTypeDefinition<_weft_net_TcpAddress, _weft_net_TcpAddress__Output>
    }
  }
}

