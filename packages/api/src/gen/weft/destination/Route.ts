// Original file: proto/destination.proto

import type { RequestMatch as _weft_destination_RequestMatch, RequestMatch__Output as _weft_destination_RequestMatch__Output } from '../../weft/destination/RequestMatch.ts';
import type { ResponseClass as _weft_destination_ResponseClass, ResponseClass__Output as _weft_destination_ResponseClass__Output } from '../../weft/destination/ResponseClass.ts';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration.ts';

export interface Route {
  'condition'?: (_weft_destination_RequestMatch | null);
  'responseClasses'?: (_weft_destination_ResponseClass)[];
  /**
   * Linkerd sets {"route": <route name>}.
   */
  'metricsLabels'?: ({[key: string]: string});
  'isRetryable'?: (boolean);
  'timeout'?: (_google_protobuf_Duration | null);
}

export interface Route__Output {
  'condition': (_weft_destination_RequestMatch__Output | null);
  'responseClasses': (_weft_destination_ResponseClass__Output)[];
  /**
   * Linkerd sets {"route": <route name>}.
   */
  'metricsLabels': ({[key: string]: string});
  'isRetryable': (boolean);
  'timeout': (_google_protobuf_Duration__Output | null);
}
