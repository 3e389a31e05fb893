// Original file: proto/destination.proto

import type { WeightedAddrSet as _weft_destination_WeightedAddrSet, WeightedAddrSet__Output as _weft_destination_WeightedAddrSet__Output } from '../../weft/destination/WeightedAddrSet.ts';
import type { AddrSet as _weft_destination_AddrSet, AddrSet__Output as _weft_destination_AddrSet__Output } from '../../weft/destination/AddrSet.ts';
import type { NoEndpoints as _weft_destination_NoEndpoints, NoEndpoints__Output as _weft_destination_NoEndpoints__Output } from '../../weft/destination/NoEndpoints.ts';

export interface Update {
  /**
   * Endpoints added (or the whole set on a snapshot).
   */
  'add'?: (_weft_destination_WeightedAddrSet | null);
  /**
   * Endpoints removed.
   */
  'remove'?: (_weft_destination_AddrSet | null);
  /**
   * The service has no endpoints. `exists` tells whether the service itself exists.
   */
  'noEndpoints'?: (_weft_destination_NoEndpoints | null);
  'update'?: "add"|"remove"|"noEndpoints";
}

export interface Update__Output {
  /**
   * Endpoints added (or the whole set on a snapshot).
   */
  'add'?: (_weft_destination_WeightedAddrSet__Output | null);
  /**
   * Endpoints removed.
   */
  'remove'?: (_weft_destination_AddrSet__Output | null);
  /**
   * The service has no endpoints. `exists` tells whether the service itself exists.
   */
  'noEndpoints'?: (_weft_destination_NoEndpoints__Output | null);
  'update'?: "add"|"remove"|"noEndpoints";
}
