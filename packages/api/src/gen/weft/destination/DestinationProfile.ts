// Original file: proto/destination.proto

import type { Route as _weft_destination_Route, Route__Output as _weft_destination_Route__Output } from '../../weft/destination/Route.ts';
import type { RetryBudget as _weft_destination_RetryBudget, RetryBudget__Output as _weft_destination_RetryBudget__Output } from '../../weft/destination/RetryBudget.ts';
import type { WeightedDst as _weft_destination_WeightedDst, WeightedDst__Output as _weft_destination_WeightedDst__Output } from '../../weft/destination/WeightedDst.ts';

export interface DestinationProfile {
  /**
   * e.g. web-svc.emojivoto.svc.cluster.local (no port).
   */
  'fullyQualifiedName'?: (string);
  'opaqueProtocol'?: (boolean);
  /**
   * First match wins.
   */
  'routes'?: (_weft_destination_Route)[];
  'retryBudget'?: (_weft_destination_RetryBudget | null);
  /**
   * Traffic split: when present, requests go to these authorities by weight.
   */
  'dstOverrides'?: (_weft_destination_WeightedDst)[];
}

export interface DestinationProfile__Output {
  /**
   * e.g. web-svc.emojivoto.svc.cluster.local (no port).
   */
  'fullyQualifiedName': (string);
  'opaqueProtocol': (boolean);
  /**
   * First match wins.
   */
  'routes': (_weft_destination_Route__Output)[];
  'retryBudget': (_weft_destination_RetryBudget__Output | null);
  /**
   * Traffic split: when present, requests go to these authorities by weight.
   */
  'dstOverrides': (_weft_destination_WeightedDst__Output)[];
}
