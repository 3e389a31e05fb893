// Original file: proto/destination.proto

import type { WeightedAddr as _weft_destination_WeightedAddr, WeightedAddr__Output as _weft_destination_WeightedAddr__Output } from '../../weft/destination/WeightedAddr.ts';

export interface WeightedAddrSet {
  'addrs'?: (_weft_destination_WeightedAddr)[];
  /**
   * Labels common to the whole set: namespace, service.
   */
  'metricLabels'?: ({[key: string]: string});
}

export interface WeightedAddrSet__Output {
  'addrs': (_weft_destination_WeightedAddr__Output)[];
  /**
   * Labels common to the whole set: namespace, service.
   */
  'metricLabels': ({[key: string]: string});
}
